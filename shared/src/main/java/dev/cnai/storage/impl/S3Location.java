package dev.cnai.storage.impl;

import dev.cnai.storage.StorageException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The validated configuration of an {@code s3://bucket/prefix} store, parsed once from the root URI's query and
 * the environment. A query parameter wins over its environment variable; see docs/storage.md for the table.
 * Credentials are never part of it: they come from the SDK's default chain.
 *
 * @param bucket             bucket name
 * @param prefix             key prefix inside the bucket, empty or ending in '/'
 * @param endpoint           endpoint override (MinIO, Ceph RGW, S3Proxy, …); empty: the AWS endpoint of the region
 * @param region             signing region
 * @param pathStyle          path-style addressing ({@code http://host/bucket/key}) instead of virtual hosts
 * @param multipartThreshold objects larger than this are uploaded in parts
 * @param partSize           size of each part of a multipart upload
 * @param maxAttempts        attempts per request of the SDK's standard retry strategy (1: no retries)
 * @param createMode         how {@code putIfAbsent} is made atomic
 */
public record S3Location(String bucket, String prefix, Optional<URI> endpoint, String region, boolean pathStyle,
                         long multipartThreshold, long partSize, int maxAttempts, CreateMode createMode) {

    /** S3's smallest part (all but the last part of a multipart upload must be at least this big). */
    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;
    public static final long DEFAULT_MULTIPART_THRESHOLD = 64L * 1024 * 1024;
    public static final long DEFAULT_PART_SIZE = 16L * 1024 * 1024;
    public static final int DEFAULT_MAX_ATTEMPTS = 4;
    public static final String DEFAULT_REGION = "us-east-1";

    private static final Set<String> OPTIONS =
            Set.of("endpoint", "region", "pathStyle", "multipartThreshold", "partSize", "maxAttempts", "putIfAbsent");

    /** How {@code putIfAbsent} is made atomic. */
    public enum CreateMode {
        /**
         * Conditional PUT ({@code If-None-Match: *}); the store checks once that the server honours it and fails
         * clearly where it does not.
         */
        CONDITIONAL,
        /**
         * The server is not asked: a lock in this JVM plus HEAD-then-PUT. Correct only where this process is the
         * only writer under the prefix (one replica, or one prefix per writer).
         */
        SINGLE_WRITER
    }

    public S3Location {
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw StorageException.badConfig("s3://" + bucket, "bucket names are 3-63 characters of a-z, 0-9, '.', '-'");
        }
        if (!prefix.isEmpty() && (!prefix.endsWith("/") || prefix.startsWith("/") || prefix.contains("//")
                || ("/" + prefix).contains("/../") || ("/" + prefix).contains("/./"))) {
            throw StorageException.badConfig("s3://" + bucket + "/" + prefix,
                    "the prefix must be relative, end in '/' and have no empty, '.' or '..' segments");
        }
        if (partSize < MIN_PART_SIZE || multipartThreshold < MIN_PART_SIZE) {
            throw StorageException.badConfig(root(bucket, prefix),
                    "partSize and multipartThreshold must be at least " + MIN_PART_SIZE + " bytes (S3's smallest part)");
        }
        if (maxAttempts < 1 || maxAttempts > 20) {
            throw StorageException.badConfig(root(bucket, prefix), "maxAttempts must be 1..20");
        }
    }

    /** {@code s3://bucket/prefix/} without the query. */
    public String root() {
        return root(bucket, prefix);
    }

    private static String root(String bucket, String prefix) {
        return "s3://" + bucket + "/" + prefix;
    }

    /** Parses {@code s3://bucket[/prefix][?options]}, with {@code env} as the fallback for each option. */
    public static S3Location parse(String root, Function<String, String> env) {
        URI uri;
        try {
            uri = URI.create(root);
        } catch (IllegalArgumentException e) {
            throw StorageException.badConfig(root, "not a URI");
        }
        if (!"s3".equals(uri.getScheme()) || uri.getHost() == null) {
            throw StorageException.badConfig(root, "expected s3://bucket/prefix");
        }
        if (uri.getUserInfo() != null) {
            throw StorageException.badConfig("s3://" + uri.getHost(), "credentials do not belong in the URI; "
                    + "use the SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, web identity)");
        }
        String bucket = uri.getHost();
        String path = uri.getPath() == null ? "" : uri.getPath();
        String prefix = path.replaceAll("^/+", "");
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix = prefix + "/";
        }
        Map<String, String> q = query(uri, root);
        String where = root(bucket, prefix);
        Function<String, Optional<String>> opt = name -> Optional.ofNullable(q.get(name));
        Optional<URI> endpoint = opt.apply("endpoint").or(() -> env(env, "CNAI_S3_ENDPOINT"))
                .or(() -> env(env, "AWS_ENDPOINT_URL_S3")).or(() -> env(env, "AWS_ENDPOINT_URL"))
                .map(e -> endpoint(where, e));
        String region = opt.apply("region").or(() -> env(env, "AWS_REGION")).or(() -> env(env, "AWS_DEFAULT_REGION"))
                .orElse(DEFAULT_REGION);
        boolean pathStyle = opt.apply("pathStyle").or(() -> env(env, "CNAI_S3_PATH_STYLE"))
                .map(v -> bool(where, "pathStyle", v)).orElse(false);
        long threshold = opt.apply("multipartThreshold").or(() -> env(env, "CNAI_S3_MULTIPART_THRESHOLD"))
                .map(v -> number(where, "multipartThreshold", v)).orElse(DEFAULT_MULTIPART_THRESHOLD);
        long part = opt.apply("partSize").or(() -> env(env, "CNAI_S3_PART_SIZE"))
                .map(v -> number(where, "partSize", v)).orElse(DEFAULT_PART_SIZE);
        int attempts = (int) (long) opt.apply("maxAttempts").or(() -> env(env, "CNAI_S3_MAX_ATTEMPTS"))
                .map(v -> number(where, "maxAttempts", v)).orElse((long) DEFAULT_MAX_ATTEMPTS);
        CreateMode mode = opt.apply("putIfAbsent").or(() -> env(env, "CNAI_S3_PUT_IF_ABSENT"))
                .map(v -> switch (v) {
                    case "conditional" -> CreateMode.CONDITIONAL;
                    case "single-writer" -> CreateMode.SINGLE_WRITER;
                    default -> throw StorageException.badConfig(where, "putIfAbsent must be conditional or single-writer");
                }).orElse(CreateMode.CONDITIONAL);
        return new S3Location(bucket, prefix, endpoint, region, pathStyle, threshold, part, attempts, mode);
    }

    private static Map<String, String> query(URI uri, String root) {
        Map<String, String> q = new LinkedHashMap<>();
        if (uri.getRawQuery() == null || uri.getRawQuery().isEmpty()) {
            return q;
        }
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (!OPTIONS.contains(name)) {
                throw StorageException.badConfig("s3://" + uri.getHost() + uri.getPath(),
                        "unknown option '" + name + "' (known: " + String.join(", ", OPTIONS.stream().sorted().toList()) + ")");
            }
            q.put(name, value);
        }
        return q;
    }

    private static Optional<String> env(Function<String, String> env, String name) {
        return Optional.ofNullable(env.apply(name)).filter(v -> !v.isBlank());
    }

    private static URI endpoint(String where, String value) {
        try {
            URI e = URI.create(value);
            if (("http".equals(e.getScheme()) || "https".equals(e.getScheme())) && e.getHost() != null
                    && e.getUserInfo() == null) {
                return e;
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw StorageException.badConfig(where, "endpoint must be an http(s)://host[:port] URL without credentials");
    }

    private static boolean bool(String where, String name, String v) {
        return switch (v) {
            case "true", "" -> true;
            case "false" -> false;
            default -> throw StorageException.badConfig(where, name + " must be true or false");
        };
    }

    private static long number(String where, String name, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw StorageException.badConfig(where, name + " must be a whole number, not '" + v + "'");
        }
    }
}
