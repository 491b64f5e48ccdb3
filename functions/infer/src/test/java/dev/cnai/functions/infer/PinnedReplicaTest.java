package dev.cnai.functions.infer;

import static io.restassured.RestAssured.given;

import dev.cnai.functions.support.testing.FunctionTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
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
        var registry = BlobsModel.registry();
        BlobsModel.register(registry, "run-pin", "pin");
        BlobsModel.send("pin-1", BlobsModel.productionPromotion(registry, "run-pin"));
        given().get("/q/health/ready").then().statusCode(503);
    }
}
