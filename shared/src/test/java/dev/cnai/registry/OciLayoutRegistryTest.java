package dev.cnai.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import dev.cnai.errors.ErrorKind;
import dev.cnai.storage.Digests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciLayoutRegistryTest extends ModelRegistryContract {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    @Override
    ModelRegistry openFresh() {
        return reopen();
    }

    @Override
    ModelRegistry reopen() {
        return Registries.open("oci-layout:" + root);
    }

    @Override
    String expectedReference(String name, String version) {
        return "oci-layout:" + root.toAbsolutePath().resolve(name) + ":" + version;
    }

    @Override
    void verifyStored(ModelVersion v) {
        assertEquals(v.manifestDigest(), Digests.sha256(readBytes(Fixtures.blob(root.resolve(MODEL), v.manifestDigest()))));
    }

    @Test
    void annotationsCarryLineageAndMetrics() throws Exception {
        ModelVersion v = registry.push(Fixtures.push(MODEL, "run-1"));
        Map<String, String> a = v.annotations();
        assertEquals("run-1", a.get(ModelAnnotations.RUN_ID));
        assertEquals(Fixtures.DATASET, a.get(ModelAnnotations.DATASET_DIGEST));
        assertEquals("{\"epochs\":3,\"hidden\":[128,64],\"lr\":0.01}", a.get(ModelAnnotations.HYPERPARAMETERS));
        assertEquals("{\"accuracy\":0.93,\"loss\":0.21}", a.get(ModelAnnotations.METRICS));
        assertEquals("v1", a.get(ModelAnnotations.OCI_VERSION));
        assertEquals(Fixtures.CREATED, a.get(ModelAnnotations.OCI_CREATED));
        assertFalse(a.containsKey(ModelAnnotations.PARENT_VERSION));
        assertEquals(v, registry.resolve(MODEL, "v1").orElseThrow());
    }

    @Test
    void versionsAreAssignedInOrderAndParentIsProduction() {
        ModelVersion v1 = registry.push(Fixtures.push(MODEL, "run-a"));
        registry.tag(MODEL, "v1", "production");
        ModelVersion v2 = registry.push(Fixtures.push(MODEL, "run-b"));
        ModelVersion v3 = registry.push(Fixtures.push(MODEL, "run-c"));

        assertEquals(List.of("v1", "v2", "v3"), List.of(v1.version(), v2.version(), v3.version()));
        assertEquals("v1", v2.annotations().get(ModelAnnotations.PARENT_VERSION));
        assertEquals("v1", v3.annotations().get(ModelAnnotations.PARENT_VERSION));

        List<ModelVersion> listed = registry.list(MODEL);
        assertEquals(List.of("v1", "v2", "v3"), listed.stream().map(ModelVersion::version).toList());
        assertEquals(List.of("production"), listed.get(0).aliases());
        assertEquals(List.of(), listed.get(1).aliases());
        assertEquals("run-b", registry.findByRun(MODEL, "run-b").orElseThrow().runId());
        assertTrue(registry.findByRun(MODEL, "run-z").isEmpty());
    }

    @Test
    void versionsSortNumericallyPastNine() {
        for (int i = 1; i <= 11; i++) {
            registry.push(Fixtures.push(MODEL, "run-" + i));
        }
        List<String> versions = registry.list(MODEL).stream().map(ModelVersion::version).toList();
        assertEquals("v11", versions.get(10));
        assertEquals("v2", versions.get(1));
        assertEquals("run-10", registry.resolve(MODEL, "v10").orElseThrow().runId());
    }

    @Test
    void rePushOfSameRunIsIdempotent() throws Exception {
        ModelVersion first = registry.push(Fixtures.push(MODEL, "run-1"));
        Path dir = root.resolve(MODEL);
        byte[] index = Files.readAllBytes(dir.resolve("index.json"));
        long blobs = Fixtures.blobCount(dir);
        assertEquals(3, blobs, "config, weight layer and manifest");

        ModelPush again = new ModelPush(MODEL, "run-1", "different bytes".getBytes(StandardCharsets.UTF_8),
                Fixtures.DATASET, Map.of(), Map.of(), "2030-01-01T00:00:00Z");
        ModelVersion second = registry.push(again);

        assertEquals(first, second);
        assertEquals(blobs, Fixtures.blobCount(dir));
        assertArrayEquals(index, Files.readAllBytes(dir.resolve("index.json")));
        assertEquals(1, registry.list(MODEL).size());
    }

    @Test
    void samePushIsReproducibleAcrossRegistries(@TempDir Path other) {
        ModelVersion a = registry.push(Fixtures.push(MODEL, "run-1"));
        ModelVersion b = Registries.open(other.toString()).push(Fixtures.push(MODEL, "run-1"));
        assertEquals(a.manifestDigest(), b.manifestDigest());
    }

    @Test
    void concurrentPushesOfOneRunYieldOneVersion() throws Exception {
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<ModelVersion>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                // half share this instance, half open their own on the same root
                ModelRegistry r = i % 2 == 0 ? registry : Registries.open(root.toString());
                Callable<ModelVersion> task = () -> {
                    start.await();
                    return r.push(Fixtures.push(MODEL, "run-race"));
                };
                results.add(pool.submit(task));
            }
            start.countDown();
            Set<ModelVersion> versions = new HashSet<>();
            for (Future<ModelVersion> f : results) {
                versions.add(f.get());
            }
            assertEquals(1, versions.size());
            assertEquals("v1", versions.iterator().next().version());
            assertEquals(1, registry.list(MODEL).size());
            assertEquals(3, Fixtures.blobCount(root.resolve(MODEL)));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aliasesMoveAndResolve() {
        registry.push(Fixtures.push(MODEL, "run-a"));
        registry.push(Fixtures.push(MODEL, "run-b"));
        registry.tag(MODEL, "v1", "production");
        registry.tag(MODEL, "v2", "candidate");
        assertEquals("v1", registry.resolve(MODEL, "production").orElseThrow().version());
        assertEquals(List.of("production"), registry.resolve(MODEL, "production").orElseThrow().aliases());

        registry.tag(MODEL, "v2", "production");
        ModelVersion prod = registry.resolve(MODEL, "production").orElseThrow();
        assertEquals("v2", prod.version());
        assertEquals(List.of("candidate", "production"), prod.aliases());
        assertEquals(List.of(), registry.resolve(MODEL, "v1").orElseThrow().aliases());
        assertArrayEquals(Fixtures.onnx("run-b"), registry.pull(MODEL, "production").onnx());

        assertTrue(registry.resolve(MODEL, "staging").isEmpty());
        assertTrue(registry.resolve("other-model", "v1").isEmpty());
    }

    @Test
    void taggingAnUnknownVersionIsNotFound() {
        registry.push(Fixtures.push(MODEL, "run-a"));
        RegistryException e = assertThrows(RegistryException.class, () -> registry.tag(MODEL, "v9", "production"));
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
        assertEquals(ErrorKind.NOT_FOUND,
                assertThrows(RegistryException.class, () -> registry.tag("ghost", "v1", "production")).kind());
        assertFalse(Files.exists(root.resolve("ghost")));
        assertEquals(ErrorKind.INVALID_INPUT,
                assertThrows(RegistryException.class, () -> registry.tag(MODEL, "v1", "v2")).kind());
        assertEquals(ErrorKind.INVALID_INPUT,
                assertThrows(RegistryException.class, () -> registry.tag(MODEL, "v1", "Prod!")).kind());
    }

    @Test
    void pullOfUnknownRefIsNotFoundAndNamesKnownRefs() {
        pushTwoVersionsAndTag("v2", "production");
        RegistryException e = assertThrows(RegistryException.class, () -> registry.pull(MODEL, "v9"));
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
        assertEquals("model mnist-mlp has no version or alias 'v9'; known: v1, v2, production", e.getMessage());

        RegistryException none = assertThrows(RegistryException.class, () -> registry.pull("no-such-model", "v1"));
        assertEquals(ErrorKind.NOT_FOUND, none.kind());
        assertFalse(Files.exists(root.resolve("no-such-model")), "reads create nothing");
    }

    @Test
    void tamperedWeightLayerIsDetectedOnPull() throws Exception {
        ModelVersion v = registry.push(Fixtures.push(MODEL, "run-a"));
        Path blob = Fixtures.blob(root.resolve(MODEL), v.modelDigest());
        Files.write(blob, "evil weights".getBytes(StandardCharsets.UTF_8));

        RegistryException e = assertThrows(RegistryException.class, () -> registry.pull(MODEL, "v1"));
        assertEquals(ErrorKind.INTEGRITY, e.kind());
        assertTrue(e.getMessage().contains(v.modelDigest()), e.getMessage());
        assertTrue(e.getMessage().contains(Digests.sha256("evil weights".getBytes(StandardCharsets.UTF_8))));
        assertTrue(e.getMessage().contains("model.onnx"), e.getMessage());
    }

    @Test
    void aCorruptBlobIsRewrittenByALaterPushOfTheSameContent() throws Exception {
        ModelVersion v1 = registry.push(Fixtures.push(MODEL, "run-a"));
        Files.write(Fixtures.blob(root.resolve(MODEL), v1.modelDigest()), new byte[] {1, 2});
        ModelPush sameWeights = new ModelPush(MODEL, "run-b", Fixtures.onnx("run-a"), Fixtures.DATASET, Map.of(),
                Map.of(), Fixtures.CREATED);
        ModelVersion v2 = registry.push(sameWeights);
        assertEquals(v1.modelDigest(), v2.modelDigest());
        assertArrayEquals(Fixtures.onnx("run-a"), registry.pull(MODEL, "v1").onnx());
    }

    @Test
    void tamperedConfigOrManifestIsDetected() throws Exception {
        ModelVersion v = registry.push(Fixtures.push(MODEL, "run-a"));
        Path dir = root.resolve(MODEL);
        JsonNode manifest = JSON.readTree(Fixtures.blob(dir, v.manifestDigest()).toFile());
        Files.write(Fixtures.blob(dir, manifest.at("/config/digest").asText()), "{}".getBytes(StandardCharsets.UTF_8));
        assertEquals(ErrorKind.INTEGRITY,
                assertThrows(RegistryException.class, () -> registry.pull(MODEL, "v1")).kind());

        Files.write(Fixtures.blob(dir, v.manifestDigest()), "{}".getBytes(StandardCharsets.UTF_8));
        assertEquals(ErrorKind.INTEGRITY,
                assertThrows(RegistryException.class, () -> registry.pull(MODEL, "v1")).kind());
    }

    @Test
    void configValidatesAgainstModelPackSchema() throws Exception {
        ModelVersion v = registry.push(Fixtures.push(MODEL, "run-a"));
        PulledModel pulled = registry.pull(MODEL, "v1");
        JsonNode config = JSON.readTree(pulled.configJson());

        JsonSchema schema = schema();
        Set<ValidationMessage> errors = schema.validate(config);
        assertEquals(Set.of(), errors);

        assertEquals(MODEL, config.at("/descriptor/name").asText());
        assertEquals("v1", config.at("/descriptor/version").asText());
        assertEquals(Fixtures.CREATED, config.at("/descriptor/createdAt").asText());
        assertEquals("run-a", config.at("/descriptor/revision").asText());
        assertEquals("onnx", config.at("/config/format").asText());
        assertEquals("layers", config.at("/modelfs/type").asText());
        assertEquals(v.modelDigest(), config.at("/modelfs/diffIds/0").asText());

        // the validator is effective: an extra property is rejected
        ((com.fasterxml.jackson.databind.node.ObjectNode) config.get("config")).put("dev.cnai.metrics", "{}");
        assertNotEquals(Set.of(), schema.validate(config));
    }

    @Test
    void manifestHasModelPackTypes() throws Exception {
        ModelVersion v = registry.push(Fixtures.push(MODEL, "run-a"));
        JsonNode m = JSON.readTree(Fixtures.blob(root.resolve(MODEL), v.manifestDigest()).toFile());
        assertEquals(2, m.get("schemaVersion").asInt());
        assertEquals("application/vnd.oci.image.manifest.v1+json", m.get("mediaType").asText());
        assertEquals(ModelPackConfig.ARTIFACT_TYPE, m.get("artifactType").asText());
        assertEquals("application/vnd.cncf.model.config.v1+json", m.at("/config/mediaType").asText());
        assertEquals(1, m.get("layers").size());
        JsonNode layer = m.get("layers").get(0);
        assertEquals("application/vnd.cncf.model.weight.v1.raw", layer.get("mediaType").asText());
        assertEquals(v.modelDigest(), layer.get("digest").asText());
        assertEquals(v.modelSize(), layer.get("size").asLong());
        assertEquals("model.onnx", layer.at("/annotations/org.cncf.model.filepath").asText());
        assertEquals("model.onnx", layer.at("/annotations/org.opencontainers.image.title").asText());
        assertEquals("run-a", m.at("/annotations/dev.cnai.run.id").asText());
    }

    @Test
    void layoutIsAValidOciImageLayout() throws Exception {
        pushTwoVersionsAndTag("v2", "production");
        Path dir = root.resolve(MODEL);

        JsonNode layout = JSON.readTree(dir.resolve("oci-layout").toFile());
        assertEquals("1.0.0", layout.get("imageLayoutVersion").asText());

        JsonNode index = JSON.readTree(dir.resolve("index.json").toFile());
        assertEquals(2, index.get("schemaVersion").asInt());
        assertEquals("application/vnd.oci.image.index.v1+json", index.get("mediaType").asText());
        List<String> tags = new ArrayList<>();
        for (JsonNode d : index.get("manifests")) {
            tags.add(d.at("/annotations/org.opencontainers.image.ref.name").asText());
            assertEquals("application/vnd.oci.image.manifest.v1+json", d.get("mediaType").asText());
            Path blob = Fixtures.blob(dir, d.get("digest").asText());
            assertTrue(Files.isRegularFile(blob), "blob of " + d);
            assertEquals(d.get("size").asLong(), Files.size(blob));
        }
        assertEquals(List.of("v1", "v2", "production"), tags);
        try (var files = Files.list(dir)) {
            assertEquals(Set.of("blobs", "index.json", "oci-layout"),
                    new HashSet<>(files.map(p -> p.getFileName().toString()).toList()), "no temp files left");
        }
    }

    @Test
    void referenceNamesTheLayout() {
        assertEquals("oci-layout:" + root.toAbsolutePath().resolve(MODEL) + ":v1", registry.reference(MODEL, "v1"));
        assertEquals(ErrorKind.INVALID_INPUT,
                assertThrows(RegistryException.class, () -> registry.reference("Bad/Name", "v1")).kind());
    }

    @Test
    void invalidPushesAreRejected() {
        ModelPush good = Fixtures.push(MODEL, "run-a");
        List<ModelPush> bad = List.of(
                new ModelPush("MNIST", "r", good.onnx(), good.datasetDigest(), null, null, good.createdAt()),
                new ModelPush("../escape", "r", good.onnx(), good.datasetDigest(), null, null, good.createdAt()),
                new ModelPush(MODEL, " ", good.onnx(), good.datasetDigest(), null, null, good.createdAt()),
                new ModelPush(MODEL, "r", new byte[0], good.datasetDigest(), null, null, good.createdAt()),
                new ModelPush(MODEL, "r", good.onnx(), "md5:abc", null, null, good.createdAt()),
                new ModelPush(MODEL, "r", good.onnx(), good.datasetDigest(), null, null, "yesterday"),
                new ModelPush(MODEL, "r", good.onnx(), good.datasetDigest(), null, Map.of("loss", Double.NaN),
                        good.createdAt()));
        for (ModelPush p : bad) {
            RegistryException e = assertThrows(RegistryException.class, () -> registry.push(p), p.toString());
            assertEquals(ErrorKind.INVALID_INPUT, e.kind(), e.getMessage());
        }
        assertEquals(List.of(), registry.names());
    }

    private static JsonSchema schema() throws Exception {
        JsonNode schemaNode = JSON.readTree(Fixtures.configSchema().toFile());
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersionDetector.detect(schemaNode));
        return factory.getSchema(schemaNode, SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
    }

    private static byte[] readBytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
