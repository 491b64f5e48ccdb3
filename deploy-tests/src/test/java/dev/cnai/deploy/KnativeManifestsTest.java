package dev.cnai.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Renders every overlay under {@code knative/overlays}, validates each object against the Knative CRD schemas and
 * the Kubernetes core types, and checks routing, GPU placement, feature flags and the function Services' shape.
 * Fixtures under {@code src/test/fixtures/broken-*} are overlays with one deliberate mistake each: they must fail.
 */
class KnativeManifestsTest {

    static final Path REPO = Path.of(System.getProperty("cnai.repo", "..")).toAbsolutePath().normalize();
    static final Path CRDS = Path.of(System.getProperty("cnai.knative-crds", REPO.resolve("specs/knative-crds")
            .toString())).toAbsolutePath().normalize();
    static final Path FIXTURES = REPO.resolve("deploy-tests/src/test/fixtures");
    /** The functions the gpu-mig overlay puts on a MIG slice. */
    static final Set<String> GPU_FUNCTIONS = Set.of("train-shard", "infer");

    static Schemas schemas;
    static Map<String, List<String>> accepts;
    static Set<String> knownFlags;

    @BeforeAll
    static void load() throws IOException {
        schemas = new Schemas(CRDS);
        accepts = Manifests.accepts(REPO);
        assertEquals(Manifests.FUNCTIONS, accepts.keySet());
        String example = Kustomize.readAll(CRDS.resolve("serving/config-features.yaml")).get(0).path("data")
                .path("_example").asText();
        knownFlags = new java.util.TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\s*([a-z0-9.\\-]+):\\s").matcher(example);
        while (m.find()) {
            knownFlags.add(m.group(1));
        }
        assertTrue(knownFlags.contains("kubernetes.podspec-nodeselector"), knownFlags.toString());
    }

    static Stream<String> overlays() throws IOException {
        try (Stream<Path> s = Files.list(REPO.resolve("knative/overlays"))) {
            return s.filter(p -> Files.isRegularFile(p.resolve("kustomization.yaml")))
                    .map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    /** Everything wrong with one kustomization: render, schema and rule problems. */
    static List<String> problems(Path dir, Set<String> gpuFunctions) {
        List<ObjectNode> objects;
        try {
            objects = Kustomize.build(dir);
        } catch (Kustomize.KustomizeException e) {
            return List.of("render: " + e.getMessage());
        }
        List<String> problems = new ArrayList<>();
        for (ObjectNode o : objects) {
            problems.addAll(schemas.validate(o));
            if ("ConfigMap".equals(o.path("kind").asText())
                    && "config-features".equals(o.path("metadata").path("name").asText())) {
                o.path("data").fieldNames().forEachRemaining(k -> {
                    if (!knownFlags.contains(k)) {
                        problems.add("config-features: unknown Knative feature flag '" + k + "'");
                    }
                });
            }
        }
        problems.addAll(new Manifests(objects).check(accepts, gpuFunctions));
        return problems;
    }

    @Test
    void theOverlaysTheBriefAsksForExist() throws IOException {
        assertTrue(overlays().toList().containsAll(List.of("cpu", "gpu-mig", "kafka-broker", "s3")),
                overlays().toList().toString());
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void overlayRendersAndValidates(String overlay) {
        Set<String> gpu = overlay.equals("gpu-mig") ? GPU_FUNCTIONS : Set.of();
        List<String> problems = problems(REPO.resolve("knative/overlays/" + overlay), gpu);
        assertTrue(problems.isEmpty(), overlay + ":\n  " + String.join("\n  ", problems));
    }

    @Test
    void gpuOverlayGivesExactlyTheGpuFunctionsOneSliceAndTheRestNone() {
        Manifests m = new Manifests(Kustomize.build(REPO.resolve("knative/overlays/gpu-mig")));
        for (String fn : Manifests.FUNCTIONS) {
            JsonNode res = Manifests.container(m.service(fn)).path("resources");
            if (GPU_FUNCTIONS.contains(fn)) {
                assertEquals("1", res.path("limits").path(Manifests.MIG).asText(), fn);
                assertEquals("true", m.service(fn).path("spec").path("template").path("spec").path("nodeSelector")
                        .path("nvidia.com/gpu.present").asText(), fn);
                assertTrue(Manifests.container(m.service(fn)).path("image").asText().endsWith("-cuda"), fn);
            } else {
                assertFalse(res.toString().contains("nvidia.com/"), fn + ": " + res);
            }
        }
        // the same overlay checked as if every function were a CPU function must fail for the two GPU ones
        List<String> asCpu = new Manifests(Kustomize.build(REPO.resolve("knative/overlays/gpu-mig")))
                .check(accepts, Set.of());
        assertEquals(2, asCpu.stream().filter(p -> p.contains("is not a GPU function")).count(), asCpu.toString());
    }

    @Test
    void kafkaOverlaySwitchesTheBrokerClass() {
        Manifests m = new Manifests(Kustomize.build(REPO.resolve("knative/overlays/kafka-broker")));
        JsonNode broker = m.ofKind("eventing.knative.dev/v1", "Broker").get(0);
        assertEquals("Kafka", broker.path("metadata").path("annotations").path("eventing.knative.dev/broker.class")
                .asText());
        assertEquals("kafka-broker-config", broker.path("spec").path("config").path("name").asText());
        assertEquals(1, m.ofKind("v1", "ConfigMap").stream()
                .filter(c -> c.path("metadata").path("name").asText().equals("kafka-broker-config")).count());
    }

    @Test
    void s3OverlayTakesStorageFromTheSecretAndDropsTheSharedVolume() {
        Manifests m = new Manifests(Kustomize.build(REPO.resolve("knative/overlays/s3")));
        for (String fn : Manifests.FUNCTIONS) {
            JsonNode c = Manifests.container(m.service(fn));
            assertTrue(c.path("envFrom").toString().contains("\"cnai-s3\""), fn);
            assertEquals("cnai-s3", c.path("env").path(0).path("valueFrom").path("secretKeyRef").path("name").asText());
            assertFalse(m.service(fn).toString().contains("cnai-data"), fn);
        }
        assertTrue(m.ofKind("v1", "PersistentVolumeClaim").stream()
                .noneMatch(p -> p.path("metadata").path("name").asText().equals("cnai-data")));
    }

    static Stream<String> brokenFixtures() throws IOException {
        try (Stream<Path> s = Files.list(FIXTURES)) {
            return s.filter(p -> p.getFileName().toString().startsWith("broken-"))
                    .map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    /** Each broken fixture names the problem it must produce in its EXPECT file. */
    @ParameterizedTest
    @MethodSource("brokenFixtures")
    void aBrokenManifestFails(String fixture) throws IOException {
        Path dir = FIXTURES.resolve(fixture);
        String expected = Files.readString(dir.resolve("EXPECT")).trim();
        Set<String> gpu = fixture.contains("gpu") ? GPU_FUNCTIONS : Set.of();
        List<String> problems = problems(dir, gpu);
        assertFalse(problems.isEmpty(), fixture + " passed validation");
        assertTrue(problems.stream().anyMatch(p -> p.contains(expected)),
                fixture + ": expected a problem containing '" + expected + "', got:\n  "
                        + String.join("\n  ", problems));
    }

    @Test
    void thereAreBrokenFixturesForEachKindOfMistake() throws IOException {
        assertTrue(brokenFixtures().count() >= 5, brokenFixtures().toList().toString());
    }

    /** The committed Services are what quarkus-kubernetes generates from the functions' properties. */
    @ParameterizedTest
    @MethodSource("functions")
    void committedServiceIsTheGeneratedOne(String fn) throws IOException {
        Path generated = REPO.resolve("functions/" + fn + "/target/kubernetes/knative.yml");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(generated),
                "functions/" + fn + " not packaged in this build");
        List<ObjectNode> committed = Kustomize.readAll(REPO.resolve("knative/base/services/" + fn + ".yaml"));
        assertEquals(Kustomize.readAll(generated), committed,
                "knative/base/services/" + fn + ".yaml differs from " + generated
                        + ": run scripts/sync-knative-services.sh --no-build");
    }

    static Stream<String> functions() {
        return Manifests.FUNCTIONS.stream().sorted();
    }

    @Test
    void theSchemasCoverEveryKnativeKindWeUse() {
        assertTrue(schemas.crdKinds().containsAll(Set.of("serving.knative.dev/v1/Service",
                "eventing.knative.dev/v1/Broker", "eventing.knative.dev/v1/Trigger",
                "sources.knative.dev/v1/SinkBinding")), schemas.crdKinds().toString());
        assertNotNull(CRDS);
    }

    @Test
    void theRendererRefusesFeaturesItDoesNotImplement() throws IOException {
        Path dir = Files.createTempDirectory("kust");
        Files.writeString(dir.resolve("kustomization.yaml"), "resources: []\ncommonLabels: {a: b}\n");
        assertThrows(Kustomize.KustomizeException.class, () -> Kustomize.build(dir));
    }
}
