package dev.cnai.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cnai.errors.ErrorKind;
import dev.cnai.storage.Digests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RegistryMirror}: layout → real OCI registry (docker-registry on loopback) → layout, and the other pairs;
 * idempotence, divergence (versions refused, aliases moved) and tampered source content.
 */
class RegistryMirrorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "mnist-mlp";
    private static final String OTHER = "digits";
    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    @TempDir
    static Path shared;
    static DockerRegistry server;

    @TempDir
    Path dir;

    @BeforeAll
    static void startRegistry() throws Exception {
        DockerRegistry.assumeAvailable(false);
        server = DockerRegistry.start(shared.resolve("registry"));
    }

    @AfterAll
    static void stopRegistry() {
        if (server != null) {
            server.close();
        }
    }

    private static ModelRegistry remote() {
        return Registries.open(server.location("m" + NAMESPACES.incrementAndGet() + "/models"),
                RegistryCredentials.none());
    }

    /** v1 (production), v2 (candidate, parent v1), a rejected run, a signature tag; a second model with v1. */
    private static ModelRegistry seeded(Path root) throws Exception {
        ModelRegistry r = Registries.open(root.toString());
        r.push(Fixtures.push(MODEL, "run-1"));
        r.tag(MODEL, "v1", ModelRegistry.PRODUCTION);
        r.push(Fixtures.push(MODEL, "run-2"));
        r.tag(MODEL, "v2", "candidate");
        r.recordRejection(new ModelRejection(MODEL, "run-3", "accuracy 0.41 below 0.5", Fixtures.DATASET,
                Map.of("accuracy", 0.41), Fixtures.CREATED));
        r.push(Fixtures.push(OTHER, "run-9"));
        addSignatureTag(root.resolve(MODEL), r.resolve(MODEL, "v1").orElseThrow().manifestDigest());
        return r;
    }

    /** A cosign-style {@code sha256-<hex>.sig} tag, written into the layout the way an OCI tool would. */
    private static void addSignatureTag(Path layout, String signed) throws Exception {
        byte[] payload = ("{\"critical\":{\"image\":{\"docker-manifest-digest\":\"" + signed + "\"}}}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                + write(layout, config) + "\",\"size\":2},\"layers\":[{\"mediaType\":"
                + "\"application/vnd.dev.cosign.simplesigning.v1+json\",\"digest\":\"" + write(layout, payload)
                + "\",\"size\":" + payload.length + ",\"annotations\":{\"dev.cosignproject.cosign/signature\":"
                + "\"MEUCIQDfake\"}}]}";
        byte[] bytes = manifest.getBytes(StandardCharsets.UTF_8);
        ObjectNode index = (ObjectNode) JSON.readTree(layout.resolve("index.json").toFile());
        ObjectNode entry = ((com.fasterxml.jackson.databind.node.ArrayNode) index.get("manifests")).addObject();
        entry.put("mediaType", "application/vnd.oci.image.manifest.v1+json").put("digest", write(layout, bytes))
                .put("size", bytes.length);
        entry.putObject("annotations").put(ModelAnnotations.OCI_REF_NAME,
                signed.replace("sha256:", "sha256-") + ".sig");
        Files.write(layout.resolve("index.json"), JSON.writeValueAsBytes(index));
    }

    private static String write(Path layout, byte[] data) throws Exception {
        String digest = Digests.sha256(data);
        Files.write(Fixtures.blob(layout, digest), data);
        return digest;
    }

    /** Tag → digest of a model's layout, from its index.json. */
    private static Map<String, String> tags(Path layout) throws Exception {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode m : JSON.readTree(layout.resolve("index.json").toFile()).get("manifests")) {
            out.put(m.at("/annotations/" + ModelAnnotations.OCI_REF_NAME.replace("/", "~1")).asText(),
                    m.get("digest").asText());
        }
        return out;
    }

    private static void assertSameModels(ModelRegistry expected, ModelRegistry actual) {
        assertEquals(expected.names(), actual.names());
        for (String name : expected.names()) {
            assertEquals(expected.list(name), actual.list(name), name);
            assertEquals(expected.rejections(name), actual.rejections(name), name);
            for (ModelVersion v : expected.list(name)) {
                assertArrayEquals(expected.pull(name, v.version()).onnx(), actual.pull(name, v.version()).onnx());
                assertEquals(expected.pull(name, v.version()).configJson(),
                        actual.pull(name, v.version()).configJson());
            }
        }
    }

    @Test
    void layoutToRegistryToLayoutKeepsEveryTagDigestAndByteAndASecondCopyIsANoOp() throws Exception {
        ModelRegistry source = seeded(dir.resolve("source"));
        ModelRegistry remote = remote();
        ModelRegistry restored = Registries.open(dir.resolve("restored").toString());

        List<ModelCopy> up = RegistryMirror.copyAll(source, remote);
        assertEquals(List.of(OTHER, MODEL), up.stream().map(ModelCopy::name).toList());
        ModelCopy model = up.get(1);
        assertNull(model.refusal());
        assertEquals(6, model.tagsCopied()); // v1 v2 production candidate rejected-run-3 sha256-….sig
        assertEquals(0, model.tagsPresent());
        assertEquals(6, model.blobsCopied()); // 2 configs, 2 weights, {} (rejection's and signature's), the payload
        assertTrue(model.bytesCopied() > 0);
        List<ModelCopy> down = RegistryMirror.copyAll(remote, restored);
        assertTrue(down.stream().noneMatch(ModelCopy::isRefused), down.toString());

        assertSameModels(source, remote);
        assertSameModels(source, restored);
        ModelVersion v2 = restored.resolve(MODEL, "candidate").orElseThrow();
        assertEquals("v1", v2.annotations().get(ModelAnnotations.PARENT_VERSION));
        assertEquals("{\"epochs\":3,\"hidden\":[128,64],\"lr\":0.01}",
                v2.annotations().get(ModelAnnotations.HYPERPARAMETERS));
        assertEquals(List.of(ModelRegistry.PRODUCTION), restored.list(MODEL).get(0).aliases());
        assertEquals(tags(dir.resolve("source").resolve(MODEL)), tags(dir.resolve("restored").resolve(MODEL)));
        assertArrayEquals(Fixtures.onnx("run-2"), restored.pull(MODEL, "candidate").onnx());

        for (List<ModelCopy> again : List.of(RegistryMirror.copyAll(source, remote),
                RegistryMirror.copyAll(remote, restored))) {
            for (ModelCopy c : again) {
                assertTrue(c.isNoOp(), c.toString());
                assertEquals(0, c.tagsCopied());
                assertEquals(0, c.blobsCopied());
                assertEquals(0, c.bytesCopied());
            }
            assertEquals(6, again.get(1).tagsPresent());
        }
    }

    @Test
    void registryToRegistryAndLayoutToLayoutCopyToo() throws Exception {
        ModelRegistry source = seeded(dir.resolve("source"));
        ModelRegistry first = remote();
        ModelRegistry second = remote();
        ModelRegistry layout = Registries.open(dir.resolve("copy").toString());
        RegistryMirror.copy(source, first, MODEL);
        ModelCopy http = RegistryMirror.copy(first, second, MODEL);
        assertEquals(6, http.tagsCopied());
        ModelCopy local = RegistryMirror.copy(source, layout, MODEL);
        assertEquals(6, local.tagsCopied());
        assertEquals(List.of(MODEL), second.names());
        assertEquals(source.list(MODEL), second.list(MODEL));
        assertEquals(source.list(MODEL), layout.list(MODEL));
        assertEquals(tags(dir.resolve("source").resolve(MODEL)), tags(dir.resolve("copy").resolve(MODEL)));
        assertEquals(ErrorKind.NOT_FOUND, assertThrows(RegistryException.class,
                () -> RegistryMirror.copy(source, layout, "no-such-model")).kind());
    }

    @Test
    void aDivergedVersionIsAConflictAndChangesNothingForThatModel() throws Exception {
        ModelRegistry source = seeded(dir.resolve("source"));
        ModelRegistry target = remote();
        ModelVersion theirs = target.push(Fixtures.push(MODEL, "run-elsewhere"));
        target.tag(MODEL, "v1", ModelRegistry.PRODUCTION);
        List<ModelVersion> before = target.list(MODEL);

        RegistryException e = assertThrows(RegistryException.class, () -> RegistryMirror.copy(source, target, MODEL));
        assertEquals(ErrorKind.CONFLICT, e.kind());
        String ours = source.resolve(MODEL, "v1").orElseThrow().manifestDigest();
        assertTrue(e.getMessage().contains("version v1 is " + ours + " on the source but " + theirs.manifestDigest()
                + " on the target"), e.getMessage());
        assertTrue(e.getMessage().contains("nothing was copied for " + MODEL), e.getMessage());
        assertEquals(before, target.list(MODEL));
        assertTrue(target.resolve(MODEL, "candidate").isEmpty());
        assertTrue(target.rejections(MODEL).isEmpty());

        List<ModelCopy> all = RegistryMirror.copyAll(source, target); // the other model is still copied
        assertEquals(ErrorKind.CONFLICT, all.get(1).refusal().kind());
        assertNull(all.get(0).refusal());
        assertEquals(List.of(OTHER, MODEL), target.names());
    }

    @Test
    void anAliasThatDiffersIsMovedToTheSourcesVersion() throws Exception {
        ModelRegistry source = seeded(dir.resolve("source"));
        ModelRegistry target = remote();
        RegistryMirror.copy(source, target, MODEL);
        target.tag(MODEL, "v2", ModelRegistry.PRODUCTION);

        ModelCopy again = RegistryMirror.copy(source, target, MODEL);
        assertEquals(List.of("production (v2 -> v1)"), again.moved());
        assertEquals(1, again.tagsCopied());
        assertEquals(5, again.tagsPresent());
        assertEquals(0, again.blobsCopied());
        assertEquals("v1", target.resolve(MODEL, ModelRegistry.PRODUCTION).orElseThrow().version());
    }

    @Test
    void aTamperedSourceBlobIsAnIntegrityErrorAndCreatesNoTag() throws Exception {
        Path root = dir.resolve("source");
        ModelRegistry source = Registries.open(root.toString());
        source.push(Fixtures.push(MODEL, "run-1"));
        source.tag(MODEL, "v1", ModelRegistry.PRODUCTION);
        ModelVersion v2 = source.push(Fixtures.push(MODEL, "run-2"));
        Files.write(Fixtures.blob(root.resolve(MODEL), v2.modelDigest()),
                "evil weights".getBytes(StandardCharsets.UTF_8));
        ModelRegistry target = remote();
        ModelRegistry layout = Registries.open(dir.resolve("copy").toString());

        for (ModelRegistry to : List.of(target, layout)) {
            RegistryException e = assertThrows(RegistryException.class, () -> RegistryMirror.copy(source, to, MODEL));
            assertEquals(ErrorKind.INTEGRITY, e.kind());
            assertTrue(e.getMessage().contains("blob " + v2.modelDigest()), e.getMessage());
            assertTrue(e.getMessage().contains(MODEL + ":v2"), e.getMessage());
            assertTrue(to.list(MODEL).isEmpty(), "no version tag: " + to.list(MODEL));
            assertTrue(to.resolve(MODEL, ModelRegistry.PRODUCTION).isEmpty(), "no alias either");
            assertTrue(to.rejections(MODEL).isEmpty());
        }
        assertFalse(target.names().contains(MODEL), "the registry lists no repository without tags");
        assertTrue(Files.exists(dir.resolve("copy").resolve(MODEL).resolve("index.json")));
        assertEquals(Map.of(), tags(dir.resolve("copy").resolve(MODEL)), "blobs only, no tag");
    }
}
