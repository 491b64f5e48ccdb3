package dev.cnai.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.errors.ErrorKind;
import dev.cnai.storage.impl.S3Location;
import dev.cnai.storage.impl.S3ObjectStore;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The object-store contract on {@code s3://}, against a real S3 server (S3Proxy on loopback), and what is particular
 * to S3: multipart uploads, conditional writes, and the errors of a wrong bucket, key or endpoint.
 *
 * <p>What S3Proxy 3.0 does with {@code If-None-Match: *} over its local (transient, filesystem) backends, pinned by the
 * tests below: it honours it on a plain PUT, but by checking and then writing, so racing creators can both succeed
 * ({@link #racingConditionalCreatesOnS3ProxyAreNotAtomicYetNeverYieldWrongBytes}); it ignores it on
 * CompleteMultipartUpload (it checks it at CreateMultipartUpload instead, which AWS does not). So the contract runs in
 * the default conditional mode, except for its race test, which runs with {@code putIfAbsent=single-writer}; and the
 * multipart case shows the store detecting a server that ignores the header and refusing to race.
 */
class S3ObjectStoreTest extends ObjectStoreContract {
    static final String BUCKET = "cnai-test";
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static S3TestServer server;
    private final List<S3ObjectStore> opened = new ArrayList<>();

    @BeforeAll
    static void startServer() {
        server = S3TestServer.start();
        server.createBucket(BUCKET);
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @AfterEach
    void closeStores() {
        opened.forEach(S3ObjectStore::close);
    }

    private S3ObjectStore open(String options) {
        return open(BUCKET, options);
    }

    private S3ObjectStore open(String bucket, String options) {
        S3ObjectStore s = server.open(bucket, "t" + PREFIXES.incrementAndGet() + "/store", options);
        opened.add(s);
        return s;
    }

    @Override
    protected ObjectStore store() {
        return open("");
    }

    /** On S3Proxy the race is only won once by the store's single-writer mode (see the class comment). */
    @Override
    @Test
    void racingPutIfAbsentCreatesExactlyOnce() throws Exception {
        assertRaceCreatesExactlyOnce(open("putIfAbsent=single-writer"));
    }

    @Override
    protected void tamper(ObjectStore store, String key, byte[] bytes) {
        S3Location where = ((S3ObjectStore) store).location();
        try (S3Client raw = server.rawClient()) {
            raw.putObject(b -> b.bucket(where.bucket()).key(where.prefix() + key), RequestBody.fromBytes(bytes));
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Pins the test server: a PUT with If-None-Match: * over an existing object is refused, the object kept. */
    @Test
    void theTestServerRefusesASequentialConditionalPutOverAnObject() {
        try (S3Client raw = server.rawClient()) {
            raw.putObject(b -> b.bucket(BUCKET).key("inm/probe"), RequestBody.fromBytes(utf8("one")));
            S3Exception e = assertThrows(S3Exception.class, () -> raw.putObject(
                    b -> b.bucket(BUCKET).key("inm/probe").ifNoneMatch("*"), RequestBody.fromBytes(utf8("two"))));
            assertEquals(412, e.statusCode());
            assertArrayEquals(utf8("one"), raw.getObjectAsBytes(b -> b.bucket(BUCKET).key("inm/probe")).asByteArray());
        }
    }

    /**
     * Racing conditional creators on S3Proxy's transient backend: the server checks, then writes, so now and then two
     * both hear 200 (measured: 1 to 4 rounds of 25 with 8 racers). The store cannot prevent that on such a server,
     * but the claim check still holds: every ref handed out either is the surviving object or is refused by read.
     */
    @Test
    void racingConditionalCreatesOnS3ProxyAreNotAtomicYetNeverYieldWrongBytes() throws Exception {
        S3ObjectStore store = open("");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        int doubles = 0;
        try {
            for (int round = 0; round < 25; round++) {
                String key = "race/" + round;
                CountDownLatch start = new CountDownLatch(1);
                List<Future<ObjectStore.PutResult>> fs = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    byte[] mine = utf8("round " + round + " writer " + i);
                    fs.add(pool.submit(() -> {
                        start.await();
                        return store.putIfAbsent(key, mine);
                    }));
                }
                start.countDown();
                List<ObjectStore.PutResult> done = new ArrayList<>();
                for (Future<ObjectStore.PutResult> f : fs) {
                    done.add(f.get());
                }
                long created = done.stream().filter(ObjectStore.PutResult::created).count();
                assertTrue(created >= 1, "someone created it");
                doubles += created > 1 ? 1 : 0;
                ArtifactRef survivor = store.ref(key).orElseThrow();
                for (ObjectStore.PutResult r : done) {
                    if (!r.ref().equals(survivor)) {
                        StorageException e = assertThrows(StorageException.class, () -> store.read(r.ref()));
                        assertEquals(ErrorKind.INTEGRITY, e.kind());
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.println("S3Proxy conditional-create race: rounds with more than one creator: " + doubles + " of 25");
    }

    /** S3Proxy ignores If-None-Match on CompleteMultipartUpload: the store finds out and refuses, never races. */
    @Test
    void aServerThatIgnoresConditionalCompletionIsRefusedClearly() {
        S3ObjectStore store = open("multipartThreshold=5242880&partSize=5242880");
        byte[] big = new byte[6 * 1024 * 1024];
        StorageException e = assertThrows(StorageException.class, () -> store.putIfAbsent("big/claim", big));
        assertEquals(ErrorKind.INVALID_INPUT, e.kind());
        assertTrue(e.getMessage().contains("If-None-Match") && e.getMessage().contains(store.location().root())
                && e.getMessage().contains("multipart") && e.getMessage().contains("putIfAbsent=single-writer"),
                e.getMessage());
        assertFalse(store.exists("big/claim"), "nothing was written");
        assertEquals(List.of(), store.list(""), "the probe object is gone");
        assertThrows(StorageException.class, () -> store.putIfAbsent("big/other", big), "the verdict sticks");
        assertTrue(store.putIfAbsent("small/claim", new byte[10]).created(), "small objects are still conditional PUTs");
        assertFalse(store.putIfAbsent("small/claim", new byte[11]).created());
    }

    @Test
    void largeObjectsAreUploadedInParts() {
        S3ObjectStore store = open("putIfAbsent=single-writer&multipartThreshold=5242880&partSize=5242880");
        byte[] big = new byte[11 * 1024 * 1024 + 17];
        new Random(7).nextBytes(big);
        ArtifactRef ref = store.put("big/blob", big);
        assertEquals(big.length, ref.size());
        assertArrayEquals(big, store.read(ref));
        S3Location where = store.location();
        try (S3Client raw = server.rawClient()) {
            String etag = raw.headObject(b -> b.bucket(BUCKET).key(where.prefix() + "big/blob")).eTag();
            assertTrue(etag.matches("\"?[0-9a-f]{32}-3\"?"), "a 3-part upload's ETag: " + etag);
            assertEquals(List.of(), raw.listMultipartUploads(b -> b.bucket(BUCKET)).uploads(), "no upload left open");
        }
        // single-writer mode: the object is created once, in parts
        assertTrue(store.putIfAbsent("big/second", big).created());
        assertFalse(store.putIfAbsent("big/second", new byte[1]).created());
        assertEquals(ref.digest(), store.ref("big/second").orElseThrow().digest());
    }

    @Test
    void listPagesThroughMoreThanOnePage() throws Exception {
        S3ObjectStore store = open("putIfAbsent=single-writer");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<String> expected = new ArrayList<>();
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 1010; i++) {
                String key = String.format("many/%04d", i);
                expected.add(key);
                fs.add(pool.submit(() -> store.put(key, new byte[1])));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(expected, store.list("many/"));
    }

    @Test
    void aMissingBucketIsNamed() {
        S3ObjectStore store = open("cnai-no-such-bucket", "");
        String uri = store.uri("k").toString();
        StorageException e = assertThrows(StorageException.class, () -> store.put("k", utf8("x")));
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains(uri) && e.getMessage().contains("bucket 'cnai-no-such-bucket' does not exist"),
                e.getMessage());
        StorageException g = assertThrows(StorageException.class, () -> store.get("k"));
        assertTrue(g.getMessage().contains("does not exist"), g.getMessage());
    }

    @Test
    void wrongCredentialsAreAccessDeniedAndNeverEchoed() {
        String secret = "wrong-secret-do-not-print-me";
        S3Location where = S3Location.parse(server.root(BUCKET, "denied/", ""), Map.<String, String>of()::get);
        try (S3ObjectStore store = new S3ObjectStore(where,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAWRONGKEYID", secret)))) {
            StorageException e = assertThrows(StorageException.class, () -> store.put("k", utf8("x")));
            assertEquals(ErrorKind.UNAVAILABLE, e.kind());
            assertTrue(e.getMessage().contains("access denied") && e.getMessage().contains("s3://cnai-test/denied/k"),
                    e.getMessage());
            for (Throwable t = e; t != null; t = t.getCause()) {
                assertFalse(String.valueOf(t.getMessage()).contains(secret), t.toString());
                assertFalse(String.valueOf(t.getMessage()).contains("AKIAWRONGKEYID"), t.toString());
            }
        }
    }

    @Test
    void anUnreachableEndpointIsNamed() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String root = "s3://cnai-test/p/?endpoint=http://127.0.0.1:" + port + "&pathStyle=true&maxAttempts=2";
        try (S3ObjectStore store = new S3ObjectStore(S3Location.parse(root, Map.<String, String>of()::get),
                S3TestServer.credentials())) {
            StorageException e = assertThrows(StorageException.class, () -> store.get("k"));
            assertEquals(ErrorKind.UNAVAILABLE, e.kind());
            assertTrue(e.getMessage().contains("s3://cnai-test/p/k") && e.getMessage().contains("unreachable")
                    && e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        }
    }

    @Test
    void objectStoresOpensS3Uris() {
        ObjectStore store = ObjectStores.open("s3://cnai-test/runs/a?endpoint=" + server.endpoint() + "&pathStyle=true");
        S3ObjectStore s3 = assertInstanceOf(S3ObjectStore.class, store);
        opened.add(s3);
        assertEquals("s3://cnai-test/runs/a/models/m.onnx", store.uri("models/m.onnx").toString());
        assertEquals("runs/a/", s3.location().prefix());
    }

    @Test
    void readRefusesRefsOutsideTheStore() {
        S3ObjectStore store = open("");
        for (String uri : List.of("s3://other-bucket/x", "s3://cnai-test/elsewhere/x", "file:///etc/passwd")) {
            ArtifactRef ref = new ArtifactRef(uri, Digests.sha256(new byte[0]), 0);
            assertEquals(ErrorKind.INVALID_INPUT, assertThrows(StorageException.class, () -> store.read(ref)).kind());
        }
    }
}
