package dev.cnai.pipeline;

import static dev.cnai.testing.TestRuns.withAccuracy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.events.EventCodec;
import dev.cnai.events.EventTypes;
import dev.cnai.events.ModelEvaluated;
import dev.cnai.events.OutgoingEvent;
import dev.cnai.registry.DockerRegistry;
import dev.cnai.registry.ModelAnnotations;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.ModelRejection;
import dev.cnai.registry.ModelVersion;
import dev.cnai.registry.Registries;
import dev.cnai.registry.RegistryCredentials;
import dev.cnai.storage.ObjectStore;
import dev.cnai.storage.ObjectStores;
import dev.cnai.testing.TestRuns;
import dev.cnai.events.ClassificationMetrics;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** register's quality gate and lineage against a real OCI registry (docker-registry on loopback). */
class RegisterStepRegistryTest {
    @TempDir
    static Path dir;
    static DockerRegistry server;

    @BeforeAll
    static void start() throws Exception {
        DockerRegistry.assumeAvailable(false);
        server = DockerRegistry.start(dir.resolve("registry"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }


    @Test
    void twoRunsMakeV1AndV2AndAWorseChallengerLeavesProductionOnV1() throws Exception {
        ObjectStore store = ObjectStores.open(dir.resolve("store-a").toString());
        ModelRegistry registry = Registries.open(server.location("gate/a"), RegistryCredentials.none());
        RegisterStep step = new RegisterStep(store, registry, 0.5, 0.02);
        TestRuns runs = new TestRuns(store, dir);

        ModelEvaluated first = runs.evaluateToEnd("run-1", 2);
        List<OutgoingEvent> out1 = step.handle(first);
        assertEquals(List.of(EventTypes.MODEL_REGISTERED, EventTypes.MODEL_PROMOTED),
                out1.stream().map(OutgoingEvent::type).toList());
        ModelVersion v1 = registry.resolve("blobs", "production").orElseThrow();
        assertEquals("v1", v1.version());
        assertArrayEquals(store.read(first.model()), registry.pull("blobs", "v1").onnx(), "pulled bytes = trained");
        // the lineage is the run's validated configuration, every default written out (TestRuns: mlp [16], sgd)
        var hyper = EventCodec.mapper().readTree(v1.annotations().get(ModelAnnotations.HYPERPARAMETERS));
        assertEquals("mlp", hyper.path("family").asText(), hyper.toString());
        assertEquals(16, hyper.path("hidden").path(0).asInt(), hyper.toString());
        assertEquals("sgd", hyper.path("optimizer").asText(), hyper.toString());
        assertEquals(0.9, hyper.path("momentum").asDouble(), hyper.toString());
        assertEquals(1.0, hyper.path("lrDecay").asDouble(), hyper.toString());
        assertEquals("auto", hyper.path("provider").asText(), hyper.toString());
        assertTrue(hyper.has("shards") && !hyper.has("beta1") && !hyper.has("conv"), hyper.toString());
        assertTrue(((String) out1.get(0).data().toString()).contains(server.location("gate/a") + "/blobs:v1"),
                out1.get(0).data().toString());

        // same dataset and seed: the same test split, compared on the recorded accuracies
        ModelEvaluated second = withAccuracy(runs.evaluateToEnd("run-2", 2), first.test().accuracy() - 0.10);
        List<OutgoingEvent> out2 = step.handle(second);
        assertEquals(List.of(EventTypes.MODEL_REJECTED), out2.stream().map(OutgoingEvent::type).toList());
        assertEquals(List.of(), step.handle(second), "a redelivery after the confirmed decision emits nothing");

        List<ModelVersion> versions = registry.list("blobs");
        assertEquals(List.of("v1", "v2"), versions.stream().map(ModelVersion::version).toList());
        assertEquals(List.of("production"), versions.get(0).aliases());
        assertEquals(List.of(), versions.get(1).aliases(), "the losing challenger is kept, never promoted");
        assertEquals("v1", versions.get(1).annotations().get(ModelAnnotations.PARENT_VERSION));
        assertEquals(versions.get(0).annotations().get(ModelAnnotations.TEST_DIGEST),
                versions.get(1).annotations().get(ModelAnnotations.TEST_DIGEST));
        List<ModelRejection> rejections = registry.rejections("blobs");
        assertEquals(List.of("run-2"), rejections.stream().map(ModelRejection::runId).toList());
        assertTrue(rejections.get(0).reason().contains("worse than production v1"), rejections.get(0).reason());
        assertTrue(rejections.get(0).reason().contains("on the same test split"), rejections.get(0).reason());
    }

    @Test
    void aChallengerOnAnotherDatasetIsComparedWithProductionRescoredOnItsTestSplit() throws Exception {
        ObjectStore store = ObjectStores.open(dir.resolve("store-b").toString());
        ModelRegistry registry = Registries.open(server.location("gate/b"), RegistryCredentials.none());
        RegisterStep step = new RegisterStep(store, registry, 0.5, 0.02);
        step.handle(new TestRuns(store, dir).evaluateToEnd("run-1", 2));

        ModelEvaluated other = new TestRuns(store, dir, 600).evaluateToEnd("run-other", 2);
        assertNotEquals(registry.resolve("blobs", "v1").orElseThrow().annotations().get(ModelAnnotations.TEST_DIGEST),
                Json.read(store, other.plan(), RunPlan.class).test().digest());
        // production scores well on the new split; a challenger claiming 0.55 there loses
        List<OutgoingEvent> out = step.handle(withAccuracy(other, 0.55));
        assertEquals(List.of(EventTypes.MODEL_REJECTED), out.stream().map(OutgoingEvent::type).toList());
        String reason = registry.rejections("blobs").get(0).reason();
        assertTrue(reason.contains("re-scored on this run's test split"), reason);
        assertEquals("v1", registry.resolve("blobs", "production").orElseThrow().version());
    }
}
