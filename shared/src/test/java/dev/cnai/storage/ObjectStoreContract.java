package dev.cnai.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.errors.ErrorKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ObjectStore} must do, whatever its backend: each subclass supplies a fresh, empty store and a way
 * to modify an object behind the store's back.
 */
abstract class ObjectStoreContract {

    /** A fresh, empty store (called once per test). */
    protected abstract ObjectStore store();

    /** Replaces the bytes under a key without going through the store (a tampering or bit-rotting disk). */
    protected abstract void tamper(ObjectStore store, String key, byte[] bytes);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void putGetListDelete() {
        ObjectStore store = store();
        byte[] data = utf8("hello");
        ArtifactRef ref = store.put("a/b/c.bin", data);
        assertEquals(Digests.sha256(data), ref.digest());
        assertEquals(data.length, ref.size());
        assertEquals(store.uri("a/b/c.bin").toString(), ref.uri());
        assertArrayEquals(data, store.get("a/b/c.bin").orElseThrow());
        assertTrue(store.exists("a/b/c.bin"));
        assertEquals(List.of("a/b/c.bin"), store.list("a/"));
        assertEquals(List.of(), store.list("missing/"));
        store.delete("a/b/c.bin");
        assertTrue(store.get("a/b/c.bin").isEmpty());
        assertFalse(store.exists("a/b/c.bin"));
        store.delete("a/b/c.bin"); // deleting what is gone is fine
    }

    @Test
    void putReplacesAndRefSeesTheNewBytes() {
        ObjectStore store = store();
        store.put("k", utf8("one"));
        ArtifactRef second = store.put("k", utf8("two"));
        assertArrayEquals(utf8("two"), store.read(second));
        assertEquals(second, store.ref("k").orElseThrow());
        assertTrue(store.ref("absent").isEmpty());
    }

    @Test
    void listIsSortedRecursiveAndScopedToThePrefix() {
        ObjectStore store = store();
        for (String k : List.of("runs/r2/b", "runs/r1/z/y", "runs/r1/a", "runsx/other", "top")) {
            store.put(k, utf8(k));
        }
        assertEquals(List.of("runs/r1/a", "runs/r1/z/y", "runs/r2/b"), store.list("runs/"));
        assertEquals(List.of("runs/r1/a", "runs/r1/z/y", "runs/r2/b"), store.list("runs"));
        assertEquals(List.of("runs/r1/a", "runs/r1/z/y", "runs/r2/b", "runsx/other", "top"), store.list(""));
    }

    @Test
    void putIfAbsentCreatesOnceAndThenReturnsTheExistingObject() {
        ObjectStore store = store();
        ObjectStore.PutResult first = store.putIfAbsent("claims/x", utf8("first"));
        assertTrue(first.created());
        ObjectStore.PutResult second = store.putIfAbsent("claims/x", utf8("second"));
        assertFalse(second.created());
        assertEquals(first.ref(), second.ref());
        assertArrayEquals(utf8("first"), store.read(second.ref()));
    }

    /** Racing creators of one key: exactly one wins, and everyone sees the winner's object. */
    @Test
    void racingPutIfAbsentCreatesExactlyOnce() throws Exception {
        assertRaceCreatesExactlyOnce(store());
    }

    static void assertRaceCreatesExactlyOnce(ObjectStore store) throws Exception {
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<ObjectStore.PutResult>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] mine = utf8("writer-" + i);
                Callable<ObjectStore.PutResult> c = () -> {
                    start.await();
                    return store.putIfAbsent("race/key", mine);
                };
                results.add(pool.submit(c));
            }
            start.countDown();
            List<ObjectStore.PutResult> done = new ArrayList<>();
            for (Future<ObjectStore.PutResult> f : results) {
                done.add(f.get());
            }
            assertEquals(1, done.stream().filter(ObjectStore.PutResult::created).count(), done.toString());
            ArtifactRef winner = done.stream().filter(ObjectStore.PutResult::created).findFirst().orElseThrow().ref();
            for (ObjectStore.PutResult r : done) {
                assertEquals(winner, r.ref());
            }
            assertEquals(winner, store.ref("race/key").orElseThrow());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void readRefusesTamperedBytes() {
        ObjectStore store = store();
        ArtifactRef ref = store.put("models/m.onnx", utf8("genuine weights"));
        tamper(store, "models/m.onnx", utf8("evil weights!!!"));
        assertReadFails(ErrorKind.INTEGRITY, store, ref);
    }

    @Test
    void readOfAMissingObjectIsNotFound() {
        ObjectStore store = store();
        ArtifactRef ref = store.put("gone", utf8("x"));
        store.delete("gone");
        assertReadFails(ErrorKind.NOT_FOUND, store, ref);
    }

    /** {@code store.read(ref)} fails with {@code kind} and a message naming the reference. */
    private static void assertReadFails(ErrorKind kind, ObjectStore store, ArtifactRef ref) {
        StorageException e = assertThrows(StorageException.class, () -> store.read(ref));
        assertEquals(kind, e.kind());
        assertTrue(e.getMessage().contains(ref.uri()), e.getMessage());
    }

    @Test
    void keysMustBeRelativeAndStayInside() {
        ObjectStore store = store();
        for (String bad : List.of("/etc/passwd", "../outside", "a/../../b", "a\\b")) {
            StorageException e = assertThrows(StorageException.class, () -> store.put(bad, new byte[1]), bad);
            assertEquals(ErrorKind.INVALID_INPUT, e.kind(), bad);
        }
    }

    @Test
    void emptyAndBinaryObjectsRoundTrip() {
        ObjectStore store = store();
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        assertArrayEquals(new byte[0], store.read(store.put("empty", new byte[0])));
        assertArrayEquals(binary, store.read(store.put("bin/all-bytes", binary)));
    }
}
