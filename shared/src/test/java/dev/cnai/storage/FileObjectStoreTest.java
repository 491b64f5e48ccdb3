package dev.cnai.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.storage.impl.FileObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The object-store contract on {@code file://}, and what is particular to files. */
class FileObjectStoreTest extends ObjectStoreContract {
    @TempDir
    Path root;

    @Override
    protected ObjectStore store() {
        return ObjectStores.open(root.toString());
    }

    @Override
    protected void tamper(ObjectStore store, String key, byte[] bytes) {
        try {
            Files.write(((FileObjectStore) store).root().resolve(key), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void fileUrisOpenTheSameStore() {
        ObjectStore byPath = store();
        ArtifactRef ref = byPath.put("x/y", new byte[] {1});
        ObjectStore byUri = ObjectStores.open(root.toUri().toString());
        assertEquals(ref, byUri.ref("x/y").orElseThrow());
    }

    /** Listing a prefix while other threads write into it never fails on their vanishing temporary files. */
    @Test
    void listingWhileWritingSeesOnlyWholeObjects() throws Exception {
        ObjectStore store = ObjectStores.open(root.toString());
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                String prefix = "reports/w" + w + "-";
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < 400; i++) {
                        store.put(prefix + i, new byte[64]);
                    }
                }));
            }
            Future<Integer> lister = pool.submit(() -> {
                int lists = 0;
                while (!writers.stream().allMatch(Future::isDone)) {
                    for (String key : store.list("reports/")) {
                        assertTrue(key.matches("reports/w[01]-\\d+"), key);
                    }
                    lists++;
                }
                return lists;
            });
            for (Future<?> w : writers) {
                w.get();
            }
            assertTrue(lister.get() > 0);
            assertEquals(800, store.list("reports/").size());
        } finally {
            pool.shutdownNow();
        }
    }
}
