package dev.cnai.storage.impl;

import dev.cnai.storage.ArtifactRef;
import dev.cnai.storage.Digests;
import dev.cnai.storage.ObjectStore;
import dev.cnai.storage.StorageException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Objects under {@code s3://bucket/prefix/} of S3 or an S3-compatible server. A PUT is atomic on S3 (readers see the
 * old or the new object), objects above the multipart threshold are uploaded in parts and appear at completion, and
 * {@code putIfAbsent} is a conditional PUT ({@code If-None-Match: *}) that the store first checks the server honours
 * (see {@link S3Location.CreateMode}). Every read of a reference re-hashes the bytes.
 */
public final class S3ObjectStore implements ObjectStore, AutoCloseable {
    static final String DIGEST_METADATA = "cnai-sha256";
    /** User metadata naming the call that created an object with putIfAbsent, so a retry can tell it was its own. */
    static final String WRITER_METADATA = "cnai-writer";
    private static final int STRIPES = 64;

    private final S3Location where;
    private final S3Client s3;
    private final Object[] locks = new Object[STRIPES];
    private final S3Conditional conditional;

    public S3ObjectStore(S3Location where) {
        this(where, S3Clients.defaultCredentials());
    }

    public S3ObjectStore(S3Location where, AwsCredentialsProvider credentials) {
        this.where = where;
        this.s3 = S3Clients.build(where, credentials);
        this.conditional = new S3Conditional(s3, where);
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    public S3Location location() {
        return where;
    }

    @Override
    public ArtifactRef put(String key, byte[] data) {
        String digest = Digests.sha256(data);
        try {
            write(objectKey(key), data, metadata(digest), false);
        } catch (SdkException e) {
            throw S3Errors.map("write", uri(key).toString(), where, e);
        }
        return new ArtifactRef(uri(key).toString(), digest, data.length);
    }

    @Override
    public PutResult putIfAbsent(String key, byte[] data) {
        String k = objectKey(key);
        String digest = Digests.sha256(data);
        ArtifactRef mine = new ArtifactRef(uri(key).toString(), digest, data.length);
        if (where.createMode() == S3Location.CreateMode.SINGLE_WRITER) {
            synchronized (locks[Math.floorMod(key.hashCode(), STRIPES)]) {
                Optional<ArtifactRef> existing = ref(key);
                if (existing.isPresent()) {
                    return new PutResult(existing.get(), false);
                }
                put(key, data);
                return new PutResult(mine, true);
            }
        }
        conditional.require(data.length);
        String writer = UUID.randomUUID().toString();
        for (int attempt = 0; ; attempt++) {
            try {
                write(k, data, metadata(digest, writer), true);
                return new PutResult(mine, true);
            } catch (S3Exception e) {
                if (S3Errors.notImplemented(e)) {
                    throw conditional.notImplemented(data.length, e);
                }
                boolean lost = S3Errors.preconditionFailed(e);
                if (!lost && !S3Errors.conditionalConflict(e) || attempt >= 4) {
                    throw S3Errors.map("create", mine.uri(), where, e);
                }
                if (lost) {
                    // also what a retry of our own landed-but-unanswered attempt sees: the writer metadata says so
                    Optional<PutResult> existing = existing(key, writer);
                    if (existing.isPresent()) {
                        return existing.get();
                    }
                    // created and deleted again since our attempt: try once more
                } else {
                    pause(25L << attempt); // 409 ConditionalRequestConflict: another conditional write is in flight
                }
            } catch (SdkException e) {
                // A server may answer 412 before it has read the body (S3Proxy does when writers race); the JDK's
                // client then reports an I/O error while writing, and the SDK's retries meet the same 412 again.
                // The object exists: the conditional create lost, exactly as with a 412 that arrived.
                // (And a landed attempt whose answer was lost, e.g. on a stale pooled connection: then it is ours.)
                Optional<PutResult> existing = e instanceof SdkClientException
                        ? existingAfterFailure(key, writer) : Optional.empty();
                if (existing.isPresent()) {
                    return existing.get();
                }
                throw S3Errors.map("create", mine.uri(), where, e);
            }
        }
    }

    /** The object now under {@code key}, created by this call ({@code writer}) or by another; empty if none. */
    private Optional<PutResult> existing(String key, String writer) {
        String k = objectKey(key);
        try {
            ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(
                    GetObjectRequest.builder().bucket(where.bucket()).key(k).build());
            byte[] b = got.asByteArray();
            ArtifactRef ref = new ArtifactRef(uri(key).toString(), Digests.sha256(b), b.length);
            return Optional.of(new PutResult(ref, writer.equals(got.response().metadata().get(WRITER_METADATA))));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw S3Errors.map("read", uri(key).toString(), where, e);
        }
    }

    private Optional<PutResult> existingAfterFailure(String key, String writer) {
        try {
            return existing(key, writer);
        } catch (StorageException unreachable) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<byte[]> get(String key) {
        String k = objectKey(key);
        try {
            return Optional.of(s3.getObjectAsBytes(GetObjectRequest.builder().bucket(where.bucket()).key(k).build())
                    .asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw S3Errors.map("read", uri(key).toString(), where, e);
        }
    }

    /** Streams an object into {@code target} (which must not exist), without holding it in memory. */
    public void download(String key, Path target) {
        String k = objectKey(key);
        try {
            s3.getObject(GetObjectRequest.builder().bucket(where.bucket()).key(k).build(),
                    ResponseTransformer.toFile(target));
        } catch (NoSuchKeyException e) {
            throw StorageException.notFound(uri(key).toString());
        } catch (SdkException e) {
            throw S3Errors.map("read", uri(key).toString(), where, e);
        }
    }

    @Override
    public byte[] read(ArtifactRef ref) {
        String key = keyOf(ref.uri());
        byte[] data = get(key).orElseThrow(() -> StorageException.notFound(ref.uri()));
        return Digests.verified(ref, data);
    }

    @Override
    public boolean exists(String key) {
        String k = objectKey(key);
        try {
            s3.headObject(HeadObjectRequest.builder().bucket(where.bucket()).key(k).build());
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (SdkException e) {
            throw S3Errors.map("check", uri(key).toString(), where, e);
        }
    }

    @Override
    public List<String> list(String prefix) {
        String p = prefix.isEmpty() ? "" : objectKey(prefix.endsWith("/") ? prefix : prefix + "/");
        List<String> keys = new ArrayList<>();
        try {
            for (S3Object o : s3.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(where.bucket())
                    .prefix(p.isEmpty() ? where.prefix() : p).build()).contents()) {
                String key = o.key().substring(where.prefix().length());
                if (!key.startsWith(S3Conditional.PROBE_DIR)) {
                    keys.add(key);
                }
            }
        } catch (SdkException e) {
            throw S3Errors.map("list", where.root() + prefix, where, e);
        }
        Collections.sort(keys);
        return keys;
    }

    @Override
    public void delete(String key) {
        String k = objectKey(key);
        try {
            s3.deleteObject(b -> b.bucket(where.bucket()).key(k));
        } catch (SdkException e) {
            throw S3Errors.map("delete", uri(key).toString(), where, e);
        }
    }

    @Override
    public URI uri(String key) {
        String k = objectKey(key);
        try {
            return new URI("s3", where.bucket(), "/" + k, null);
        } catch (URISyntaxException e) {
            throw StorageException.badKey(key, e.getReason());
        }
    }

    @Override
    public void close() {
        s3.close();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StorageException.unavailable("interrupted while retrying a conditional write", e);
        }
    }

    static Map<String, String> metadata(String digest) {
        return Map.of(DIGEST_METADATA, digest);
    }

    static Map<String, String> metadata(String digest, String writer) {
        return Map.of(DIGEST_METADATA, digest, WRITER_METADATA, writer);
    }

    private void write(String k, byte[] data, Map<String, String> metadata, boolean ifNoneMatch) {
        if (data.length > where.multipartThreshold()) {
            S3Multipart.upload(s3, where, k, data, metadata, ifNoneMatch);
            return;
        }
        PutObjectRequest.Builder req = PutObjectRequest.builder().bucket(where.bucket()).key(k)
                .contentLength((long) data.length).metadata(metadata);
        if (ifNoneMatch) {
            req.ifNoneMatch("*");
        }
        s3.putObject(req.build(), RequestBody.fromBytes(data));
    }

    private String objectKey(String key) {
        if (key == null || key.startsWith("/") || key.contains("\\")) {
            throw StorageException.badKey(String.valueOf(key), "keys are relative '/'-separated paths");
        }
        String body = key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
        for (String segment : body.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw StorageException.badKey(key, "empty, '.' and '..' segments are not allowed");
            }
        }
        return where.prefix() + key;
    }

    private String keyOf(String refUri) {
        URI u;
        try {
            u = new URI(refUri);
        } catch (URISyntaxException e) {
            throw StorageException.badKey(refUri, "not an s3:// URI this store can read");
        }
        String path = u.getPath() == null ? "" : u.getPath();
        if (!"s3".equals(u.getScheme()) || !where.bucket().equals(u.getHost())
                || !path.startsWith("/" + where.prefix())) {
            throw StorageException.badKey(refUri, "outside the store root " + where.root());
        }
        return path.substring(1 + where.prefix().length());
    }
}
