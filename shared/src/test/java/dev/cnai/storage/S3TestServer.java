package dev.cnai.storage;

import dev.cnai.storage.impl.S3Location;
import dev.cnai.storage.impl.S3ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.gaul.s3proxy.AuthenticationType;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.options.CreateContainerOptions;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server for the tests: S3Proxy 4 on 127.0.0.1 (an ephemeral port) over its {@code filesystem-nio2}
 * blobstore in a fresh temporary directory, with AWS signature checking on. That backend resolves
 * {@code If-None-Match: *} as it writes (it publishes a claimed key with {@code link(2)}, which fails when the key
 * exists), so racing conditional creates are atomic, as on AWS S3 or MinIO. Starts in well under a second; close it
 * when done (the directory is deleted).
 */
public final class S3TestServer implements AutoCloseable {
    public static final String ACCESS_KEY = "cnai-test-access";
    public static final String SECRET_KEY = "cnai-test-secret-not-a-real-one";

    private final S3Proxy proxy;
    private final Path dir;
    private final BlobStore blobStore;
    private final URI endpoint;

    private S3TestServer(boolean conditionalWrites) throws Exception {
        dir = Files.createTempDirectory("cnai-s3-");
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", dir.toString());
        BlobStore nio2 = BlobStores.create("filesystem-nio2", props);
        blobStore = conditionalWrites ? nio2 : opaque(nio2);
        proxy = S3Proxy.builder().blobStore(blobStore).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        proxy.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
            }
            Thread.sleep(5);
        }
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** The server, with atomic conditional writes. */
    public static S3TestServer start() {
        return start(true);
    }

    /**
     * The same server over a backend S3Proxy knows no conditional primitive for (as with its sftp backend): it answers
     * 501 NotImplemented to every {@code If-None-Match}, as some S3-compatible servers do.
     */
    public static S3TestServer startWithoutConditionalWrites() {
        return start(false);
    }

    private static S3TestServer start(boolean conditionalWrites) {
        try {
            return new S3TestServer(conditionalWrites);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the S3 test server", e);
        }
    }

    /** The backend behind a proxy class S3Proxy does not recognise, so it vouches for no conditional writes. */
    private static BlobStore opaque(BlobStore backend) {
        return (BlobStore) Proxy.newProxyInstance(BlobStore.class.getClassLoader(), new Class<?>[] {BlobStore.class},
                (proxy, method, args) -> {
                    try {
                        return method.invoke(backend, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.stop();
        } finally {
            blobStore.close();
            deleteTree(dir);
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    /** Creates a bucket (idempotent). */
    public void createBucket(String bucket) {
        blobStore.createContainer(bucket, CreateContainerOptions.NONE);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    public static AwsCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
    }

    /** The root URI of a store in a bucket of this server, with extra query options ("k=v&…", may be empty). */
    public String root(String bucket, String prefix, String options) {
        return "s3://" + bucket + "/" + prefix + "?endpoint=" + endpoint + "&region=us-east-1&pathStyle=true"
                + (options.isEmpty() ? "" : "&" + options);
    }

    /** A store with this server's test credentials (never the developer's own). */
    public S3ObjectStore open(String bucket, String prefix, String options) {
        return new S3ObjectStore(S3Location.parse(root(bucket, prefix, options), Map.<String, String>of()::get),
                credentials());
    }

    /** A plain SDK client on this server, for going behind a store's back (tampering). */
    public S3Client rawClient() {
        return S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(credentials())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    /**
     * One server per test class, with one bucket: {@code @RegisterExtension static final S3TestServer.PerClass S3 =
     * new S3TestServer.PerClass("bucket");} then {@code S3.server()}.
     */
    public static final class PerClass implements BeforeAllCallback, AfterAllCallback {
        private final String bucket;
        private S3TestServer server;

        public PerClass(String bucket) {
            this.bucket = bucket;
        }

        @Override
        public void beforeAll(ExtensionContext context) {
            server = start();
            server.createBucket(bucket);
        }

        @Override
        public void afterAll(ExtensionContext context) throws Exception {
            server.close();
        }

        public S3TestServer server() {
            return server;
        }
    }
}
