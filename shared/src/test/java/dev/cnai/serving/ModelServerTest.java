package dev.cnai.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.errors.ErrorKind;
import dev.cnai.events.InferenceCompleted;
import dev.cnai.events.InferenceRequested;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.Registries;
import dev.cnai.storage.ObjectStores;
import dev.cnai.testing.TestRuns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** predictBatch (concatenate, predict, split), the pinned load and both submit paths, on the "blobs" model. */
class ModelServerTest {
    @TempDir
    Path dir;
    ModelRegistry registry;

    @BeforeEach
    void setUp() throws Exception {
        registry = Registries.open(dir.resolve("registry").toString());
        new TestRuns(ObjectStores.open(dir.resolve("store").toString()), Files.createDirectories(dir.resolve("work"))).registerModel("run-m",
                registry);
    }

    static float[] rows(int n, float seed) {
        float[] x = new float[n * 8];
        for (int i = 0; i < x.length; i++) {
            x[i] = seed + i % 8;
        }
        return x;
    }

    @Test
    void aBatchIsSplitIntoTheSameAnswersAsOneCallPerRequest() {
        try (ModelServer server = new ModelServer(registry, "blobs", 1)) {
            server.load("production");
            List<ModelServer.Rows> batch = List.of(new ModelServer.Rows(rows(2, 0), 2),
                    new ModelServer.Rows(rows(1, 5), 1), new ModelServer.Rows(rows(3, -2), 3));
            List<ModelServer.Slice> out = server.predictBatch(batch);
            assertEquals(3, out.size());
            for (int i = 0; i < batch.size(); i++) {
                ModelServer.Slice alone = server.predictBatch(List.of(batch.get(i))).get(0);
                ModelServer.Slice s = out.get(i);
                assertNull(s.refused());
                assertEquals(batch.get(i).count(), s.count());
                int c = s.batch().classes();
                assertArrayEquals(Arrays.copyOfRange(alone.batch().probabilities(), 0, alone.count() * c),
                        Arrays.copyOfRange(s.batch().probabilities(), s.probabilityOffset(),
                                s.probabilityOffset() + s.count() * c), 1e-6f);
                assertArrayEquals(Arrays.copyOfRange(alone.batch().labels(), 0, alone.count()),
                        Arrays.copyOfRange(s.batch().labels(), s.first(), s.first() + s.count()));
            }
        }
    }

    @Test
    void aRequestThatNoLongerFitsTheModelIsRefusedAndTheRestRun() {
        try (ModelServer server = new ModelServer(registry, "blobs", 1)) {
            server.load("production");
            List<ModelServer.Slice> out = server.predictBatch(List.of(new ModelServer.Rows(rows(1, 0), 1),
                    new ModelServer.Rows(new float[5], 1), new ModelServer.Rows(rows(2, 1), 2)));
            assertNull(out.get(0).refused());
            assertEquals(ErrorKind.INVALID_INPUT, out.get(1).refused().kind());
            assertTrue(out.get(1).refused().getMessage().contains("expects 8 features"));
            assertEquals(1, out.get(2).first());
            assertEquals(3, out.get(2).batch().rows());
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> server.submit(new ModelServer.Rows(new float[5], 1)).get(5, TimeUnit.SECONDS));
            assertInstanceOf(ServingException.class, e.getCause(), "the refusal itself, not wrapped");
        }
    }

    @Test
    void withoutAModelEveryRequestFailsNotReady() {
        try (ModelServer server = new ModelServer(registry, "blobs", 1)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> server.submit(new ModelServer.Rows(rows(1, 0), 1)).get(5, TimeUnit.SECONDS));
            assertEquals(ErrorKind.UNAVAILABLE, ((ServingException) e.getCause()).kind());
            ServingException sync = assertThrows(ServingException.class,
                    () -> server.infer(new InferenceRequested("q", null, new float[][] {new float[8]})));
            assertEquals(ErrorKind.UNAVAILABLE, sync.kind());
        }
    }

    @Test
    void theCloudEventPathGoesThroughTheBatcher() throws Exception {
        try (ModelServer server = new ModelServer(registry, "blobs", 1)) {
            server.load("production");
            InferenceCompleted done = server.submit(new InferenceRequested("q", "blobs",
                    new float[][] {rows(1, 0), rows(1, 3)})).get(5, TimeUnit.SECONDS);
            assertEquals("v1", done.version());
            assertEquals(2, done.labels().length);
            assertEquals(3, done.probabilities()[1].length);
            assertEquals(ErrorKind.NOT_FOUND, assertThrows(ServingException.class,
                    () -> server.submit(new InferenceRequested("q", "other", new float[][] {rows(1, 0)}))).kind());
        }
    }

    @Test
    void aPinnedVersionLoadsOnlyWithItsDigest() {
        String digest = registry.resolve("blobs", "v1").orElseThrow().modelDigest();
        try (ModelServer server = new ModelServer(registry, "blobs", 1)) {
            assertFalse(server.loadPinned("v1", "sha256:" + "0".repeat(64)));
            assertFalse(server.ready());
            assertThrows(IllegalStateException.class, () -> server.loadPinned("v7", null));
            assertTrue(server.loadPinned("v1", digest));
            assertEquals("v1", server.current().version());
        }
    }
}
