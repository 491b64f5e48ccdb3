package dev.cnai.storage;

import dev.cnai.storage.impl.S3Location;
import dev.cnai.storage.impl.S3ObjectStore;
import java.net.URI;
import java.util.Map;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server for the tests: S3Proxy on 127.0.0.1 (an ephemeral port) over jclouds' in-memory {@code transient}
 * blobstore, with AWS signature checking on. Starts in well under a second; close it when done.
 */
public final class S3TestServer implements AutoCloseable {
    public static final String ACCESS_KEY = "cnai-test-access";
    public static final String SECRET_KEY = "cnai-test-secret-not-a-real-one";

    private final S3Proxy proxy;
    private final BlobStoreContext context;
    private final URI endpoint;

    private S3TestServer() throws Exception {
        context = ContextBuilder.newBuilder("transient").credentials("identity", "credential")
                .build(BlobStoreContext.class);
        proxy = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
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

    public static S3TestServer start() {
        try {
            return new S3TestServer();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the S3 test server", e);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.stop();
        } finally {
            context.close();
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    public BlobStore blobStore() {
        return context.getBlobStore();
    }

    /** Creates a bucket (idempotent). */
    public void createBucket(String bucket) {
        blobStore().createContainerInLocation(null, bucket);
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
}
