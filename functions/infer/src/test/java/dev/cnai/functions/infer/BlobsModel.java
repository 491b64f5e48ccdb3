package dev.cnai.functions.infer;

import static dev.cnai.functions.support.testing.CloudEventRequests.binary;

import dev.cnai.events.EventTypes;
import dev.cnai.events.ModelPromoted;
import dev.cnai.functions.support.testing.FunctionTestResource;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.Registries;
import dev.cnai.storage.ObjectStores;
import dev.cnai.testing.TestRuns;
import java.io.IOException;
import java.nio.file.Files;

/**
 * The test model "blobs" in the registry and store of {@link FunctionTestResource}: registering a run of it and
 * promoting its production version to the running function.
 */
final class BlobsModel {
    static final String NAME = "blobs";

    private BlobsModel() {
    }

    static ModelRegistry registry() {
        return Registries.open(FunctionTestResource.registryDir().toString());
    }

    /** Trains run {@code runId} in the test store (scratch files under a temp dir named {@code tmpPrefix}) and registers it. */
    static void register(ModelRegistry registry, String runId, String tmpPrefix) throws IOException {
        new TestRuns(ObjectStores.open(FunctionTestResource.storeDir().toString()), Files.createTempDirectory(tmpPrefix))
                .registerModel(runId, registry);
    }

    /** The {@code model.promoted} event of the current production version, attributed to run {@code runId}. */
    static ModelPromoted productionPromotion(ModelRegistry registry, String runId) {
        var v = registry.resolve(NAME, "production").orElseThrow();
        return new ModelPromoted(runId, NAME, "production", v.version(), registry.reference(NAME, v.version()),
                v.manifestDigest(), v.modelDigest());
    }

    /** Sends {@code promoted} as binary CloudEvent {@code eventId} and asserts the function accepted it (204). */
    static void send(String eventId, ModelPromoted promoted) {
        binary(EventTypes.MODEL_PROMOTED, eventId, promoted.runId(), promoted).then().statusCode(204);
    }
}
