package dev.cnai.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.errors.ErrorKind;
import dev.cnai.storage.Digests;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ModelRegistry} backend must do, run once per backend by a subclass that says how to open a
 * registry on a fresh, empty store.
 */
abstract class ModelRegistryContract {
    static final String MODEL = "mnist-mlp";

    /** The registry under test, on a store no other test uses. */
    ModelRegistry registry;

    /** A registry on a fresh, empty store; called before each test. */
    abstract ModelRegistry openFresh();

    /** A second, independent registry instance on the store {@link #openFresh()} last opened. */
    abstract ModelRegistry reopen();

    /** What {@link ModelRegistry#reference} should say for {@code name:version} in this store. */
    abstract String expectedReference(String name, String version);

    /** Backend-specific checks of what a push of version {@code v} left in the store; none by default. */
    void verifyStored(ModelVersion v) throws Exception {
    }

    @BeforeEach
    void openRegistry() {
        registry = openFresh();
    }

    /** Pushes runs run-1 and run-2 (versions v1 and v2) and tags {@code version} with {@code alias}. */
    void pushTwoVersionsAndTag(String version, String alias) {
        registry.push(Fixtures.push(MODEL, "run-1"));
        registry.push(Fixtures.push(MODEL, "run-2"));
        registry.tag(MODEL, version, alias);
    }

    @Test
    void pushThenPullRoundTripsVerifiedBytes() throws Exception {
        ModelPush push = Fixtures.push(MODEL, "run-1");
        ModelVersion v = registry.push(push);

        assertEquals("v1", v.version());
        assertEquals(Digests.sha256(push.onnx()), v.modelDigest());
        assertEquals(push.onnx().length, v.modelSize());
        assertEquals("run-1", v.runId());

        // the instance that pushed, and one that did not
        for (ModelRegistry reader : List.of(registry, reopen())) {
            PulledModel pulled = reader.pull(MODEL, "v1");
            assertArrayEquals(push.onnx(), pulled.onnx());
            assertEquals(v, pulled.version());
        }
        assertEquals(expectedReference(MODEL, "v1"), registry.reference(MODEL, "v1"));
        assertEquals(List.of(MODEL), registry.names());
        verifyStored(v);
    }

    @Test
    void deleteRefusesAnAliasedVersionAndRemovesOthers() {
        pushTwoVersionsAndTag("v2", "production");

        RegistryException e = assertThrows(RegistryException.class, () -> registry.delete(MODEL, "v2"));
        assertEquals(ErrorKind.CONFLICT, e.kind());
        assertTrue(e.getMessage().contains("production"), e.getMessage());

        registry.delete(MODEL, "v1");
        assertEquals(List.of("v2"), registry.list(MODEL).stream().map(ModelVersion::version).toList());
        assertEquals(List.of("production"), registry.list(MODEL).get(0).aliases());
        assertEquals(ErrorKind.NOT_FOUND, assertThrows(RegistryException.class,
                () -> registry.delete(MODEL, "v1")).kind());
        assertEquals("v2", registry.resolve(MODEL, "production").orElseThrow().version());
    }

    @Test
    void rejectionsAreRecordedOncePerRunAndAreNotRefs() {
        registry.push(Fixtures.push(MODEL, "run-1"));
        ModelRejection r = new ModelRejection(MODEL, "run-2", "test accuracy 0.5 is below the minimum 0.85",
                Fixtures.DATASET, Map.of("accuracy", 0.5), Fixtures.CREATED);
        // a run id that is no valid tag
        ModelRejection odd = new ModelRejection(MODEL, "run 3/odd id", "below the bar", Fixtures.DATASET,
                Map.of("accuracy", 0.4), Fixtures.CREATED);
        for (ModelRejection each : List.of(r, odd, r, odd)) {
            registry.recordRejection(each);
        }
        // same createdAt: ordered by run id
        assertEquals(List.of(odd, r), registry.rejections(MODEL));
        assertEquals(List.of("v1"), registry.list(MODEL).stream().map(ModelVersion::version).toList());
        assertEquals(ErrorKind.NOT_FOUND, assertThrows(RegistryException.class,
                () -> registry.pull(MODEL, "rejected-run-2")).kind());
        assertEquals(ErrorKind.INVALID_INPUT, assertThrows(RegistryException.class,
                () -> registry.tag(MODEL, "v1", "rejected-x")).kind());
    }
}
