package dev.cnai.functions.infer;

import static dev.cnai.functions.support.testing.CloudEventRequests.binary;
import static io.restassured.RestAssured.given;

import dev.cnai.events.EventTypes;
import dev.cnai.events.ModelPromoted;
import dev.cnai.functions.support.testing.FunctionTestResource;
import dev.cnai.registry.Registries;
import dev.cnai.storage.ObjectStores;
import dev.cnai.testing.TestRuns;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A replica pinned to a version by a Knative canary revision (CNAI_INFER_MODEL_VERSION / _DIGEST) keeps
 * serving that version: {@code model.promoted} does not swap its model, and a pinned version that is not
 * in the registry leaves it not ready rather than serving something else.
 */
@QuarkusTest
@WithTestResource(FunctionTestResource.class)
@TestProfile(PinnedReplicaTest.Pinned.class)
class PinnedReplicaTest {

    public static class Pinned implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("cnai.infer.model-version", "v7", "cnai.infer.model-digest", "sha256:" + "0".repeat(64));
        }
    }

    @Test
    void promotionIsIgnoredAndAMissingPinnedVersionIsNotServed() throws Exception {
        var registry = Registries.open(FunctionTestResource.registryDir().toString());
        new TestRuns(ObjectStores.open(FunctionTestResource.storeDir().toString()), Files.createTempDirectory("pin"))
                .registerModel("run-pin", registry);
        var v = registry.resolve("blobs", "production").orElseThrow();
        ModelPromoted promoted = new ModelPromoted("run-pin", "blobs", "production", v.version(),
                registry.reference("blobs", v.version()), v.manifestDigest(), v.modelDigest());
        binary(EventTypes.MODEL_PROMOTED, "pin-1", "run-pin", promoted).then().statusCode(204);
        given().get("/q/health/ready").then().statusCode(503);
    }
}
