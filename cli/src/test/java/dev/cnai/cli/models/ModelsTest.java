package dev.cnai.cli.models;

import static dev.cnai.testing.TestRuns.withAccuracy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.events.ModelEvaluated;
import dev.cnai.pipeline.RegisterStep;
import dev.cnai.registry.DockerRegistry;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.Registries;
import dev.cnai.registry.RegistryCredentials;
import dev.cnai.storage.ObjectStore;
import dev.cnai.storage.ObjectStores;
import dev.cnai.testing.TestRuns;
import dev.cnai.events.ClassificationMetrics;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cnai models …} on a registry filled by real register steps: the real OCI registry (docker-registry on
 * loopback) when installed, else the embedded layout; Knative through the fabric8 mock API server (CRUD).
 */
@EnableKubernetesMockClient(crud = true)
class ModelsTest {
    @TempDir
    static Path dir;
    static DockerRegistry server;
    static String location;
    static double v1Accuracy;

    KubernetesClient kubernetes;

    record Result(int status, String out, String err) {
    }

    @BeforeAll
    static void registerThreeRuns() throws Exception {
        if (Files.isExecutable(DockerRegistry.BINARY)) {
            server = DockerRegistry.start(dir.resolve("docker-registry"));
            location = server.location("cli");
        } else {
            location = "oci-layout:" + dir.resolve("layout");
        }
        ObjectStore store = ObjectStores.open(dir.resolve("store").toString());
        ModelRegistry registry = Registries.open(location, RegistryCredentials.none());
        RegisterStep step = new RegisterStep(store, registry, 0.5, 0.02);
        TestRuns runs = new TestRuns(store, dir);
        ModelEvaluated first = runs.evaluateToEnd("run-1", 2);
        v1Accuracy = first.test().accuracy();
        step.handle(first);                                                  // v1, production
        step.handle(withAccuracy(runs.evaluateToEnd("run-2", 2), v1Accuracy - 0.1)); // v2 kept, rejected
        step.handle(withAccuracy(runs.evaluateToEnd("run-3", 2), 0.3));      // below the bar: no version
        step.handle(runs.evaluateToEnd("run-4", 2));                         // v3, production
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }


    Result models(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                java.util.stream.Stream.of("--registry", location)).toArray(String[]::new);
        int status = ModelsCommand.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), () -> kubernetes.adapt(KnativeClient.class));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void listShowsVersionsAliasesAndWhyRunsWereRejected() {
        Result r = models("list");
        assertEquals(0, r.status(), r.err());
        String[] lines = r.out().split("\n");
        String v1 = line(lines, "v1 ");
        String v2 = line(lines, "v2 ");
        String v3 = line(lines, "v3 ");
        assertTrue(v1.contains("ok") && v1.contains("run-1"), v1);
        assertTrue(v2.contains("rejected: test accuracy") && v2.contains("worse than production v1"), v2);
        assertTrue(v3.contains("production") && v3.contains("run-4"), v3);
        assertTrue(line(lines, "run-3").contains("below the minimum 0.5000"), r.out());
    }

    @Test
    void inspectAndCompareShowLineageAndMetricsSideBySide() {
        Result inspect = models("inspect", "production");
        assertEquals(0, inspect.status(), inspect.err());
        assertTrue(inspect.out().contains("version         v3"), inspect.out());
        assertTrue(inspect.out().contains("parent          v1"), inspect.out());
        assertTrue(inspect.out().contains("accuracy"), inspect.out());

        Result compare = models("compare", "v1", "v2");
        assertEquals(0, compare.status(), compare.err());
        String acc = line(compare.out().split("\n"), "accuracy");
        assertTrue(acc.contains("-0.1000"), compare.out());
        assertTrue(line(compare.out().split("\n"), "test split").contains("same"), compare.out());
        assertTrue(line(compare.out().split("\n"), "run ").contains("run-1"), compare.out());
    }

    @Test
    void deleteRefusesTheProductionVersion() {
        Result r = models("delete", "v3");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("CONFLICT") && r.err().contains("production"), r.err());
        assertEquals(2, models("frobnicate").status());
    }

    @Test
    void promoteRollsInferThroughTheCanaryAndRollbackRestoresIt() {
        KnativeClient knative = kubernetes.adapt(KnativeClient.class);
        knative.services().inNamespace("cnai").resource(new ServiceBuilder().withNewMetadata().withName("infer")
                .withNamespace("cnai").endMetadata().withNewSpec().withNewTemplate().withNewMetadata()
                .withName("infer-v3").endMetadata().withNewSpec().addNewContainer().withName("infer")
                .withImage("cnai/infer").endContainer().endSpec().endTemplate().addNewTraffic()
                .withRevisionName("infer-v3").withPercent(100L).endTraffic().endSpec().build()).create();

        Result back = models("rollback", "--knative", "cnai/infer");
        assertEquals(0, back.status(), back.err());
        assertTrue(back.out().contains("production: v3 -> v1"), back.out());
        assertEquals(Map.of("infer-v1", 100L, "infer-v3", 0L), traffic(knative));

        Result promote = models("promote", "v3", "--knative", "cnai/infer", "--steps", "10,50", "--pause", "PT0S");
        assertEquals(0, promote.status(), promote.err());
        assertTrue(promote.out().contains("infer-v1 90%, infer-v3 10%"), promote.out());
        assertTrue(promote.out().contains("infer-v1 50%, infer-v3 50%"), promote.out());
        assertTrue(promote.out().contains("infer-v3 100%, infer-v1 0%"), promote.out());
        assertEquals(Map.of("infer-v3", 100L, "infer-v1", 0L), traffic(knative));
        assertTrue(models("inspect", "production").out().contains("version         v3"));

        Result again = models("rollback", "v1", "--knative", "cnai/infer");
        assertEquals(0, again.status(), again.err());
        assertEquals(Map.of("infer-v1", 100L, "infer-v3", 0L), traffic(knative));
        assertEquals(0, models("promote", "v3").status());
    }

    static Map<String, Long> traffic(KnativeClient knative) {
        return knative.services().inNamespace("cnai").withName("infer").get().getSpec().getTraffic().stream()
                .collect(Collectors.toMap(t -> t.getRevisionName(), t -> t.getPercent(), (a, b) -> a,
                        LinkedHashMap::new));
    }

    static String line(String[] lines, String containing) {
        for (String l : lines) {
            if (l.contains(containing)) {
                return l;
            }
        }
        throw new AssertionError("no line containing '" + containing + "' in:\n" + String.join("\n", lines));
    }
}
