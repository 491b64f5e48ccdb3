package dev.cnai.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileObjectStoreTest {
    @TempDir
    Path root;

    @Test
    void putGetListDelete() {
        ObjectStore store = ObjectStores.open(root.toString());
        byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
        ArtifactRef ref = store.put("a/b/c.bin", data);
        assertEquals(Digests.sha256(data), ref.digest());
        assertArrayEquals(data, store.get("a/b/c.bin").orElseThrow());
        assertEquals(List.of("a/b/c.bin"), store.list("a/"));
        assertEquals(List.of(), store.list("missing/"));
        store.delete("a/b/c.bin");
        assertTrue(store.get("a/b/c.bin").isEmpty());
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
