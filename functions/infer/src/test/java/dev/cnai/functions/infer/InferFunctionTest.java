package dev.cnai.functions.infer;

import static dev.cnai.functions.support.testing.CloudEventRequests.binary;
import static dev.cnai.functions.support.testing.CloudEventRequests.structured;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

import dev.cnai.events.EventTypes;
import dev.cnai.events.ModelPromoted;
import dev.cnai.functions.support.testing.FunctionTestResource;
import dev.cnai.functions.support.testing.MalformedEventContract;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

@QuarkusTest
@WithTestResource(FunctionTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InferFunctionTest extends MalformedEventContract {

    @Override
    protected String acceptedType() {
        return EventTypes.INFERENCE_REQUESTED;
    }

    static Map<String, Object> request(int features) {
        return Map.of("runId", "q-1", "instances", List.of(new float[features]));
    }

    /** The one test about the application's start state: ordered first, before any test promotes a model. */
    @Test
    @Order(1)
    void noModelBeforeOneIsPromotedYetReadyForThePromotion() throws InterruptedException {
        // ready for traffic once the start-up load found nothing to load: the promotion must be able to reach it
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (given().get("/q/health/ready").statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        given().get("/q/health/ready").then().statusCode(200).body(containsString("done"))
                .body(containsString("none"));
        given().get("/v2/health/ready").then().statusCode(503);
        binary(EventTypes.INFERENCE_REQUESTED, "i-0", "q-0", request(8)).then().statusCode(503)
                .body("error", containsString("not loaded"));
    }

    /**
     * Registers v1 of "blobs" (once per application) and sends its promotion, so every test but the first can run
     * alone or in any order; a repeated promotion of the loaded version is a no-op.
     */
    static ModelPromoted promoted() throws Exception {
        var registry = BlobsModel.registry();
        if (registry.resolve(BlobsModel.NAME, "production").isEmpty()) {
            BlobsModel.register(registry, "run-i1", "if");
        }
        ModelPromoted promoted = BlobsModel.productionPromotion(registry, "run-i1");
        BlobsModel.send("p-1", promoted);
        return promoted;
    }

    @Test
    void promotionLoadsTheModelAndInferenceAnswers() throws Exception {
        ModelPromoted promoted = promoted();
        binary(EventTypes.MODEL_PROMOTED, "p-1", "run-i1", promoted).then().statusCode(204);
        given().get("/q/health/ready").then().statusCode(200).body(containsString("v1"));

        binary(EventTypes.INFERENCE_REQUESTED, "i-1", "q-1", request(8)).then().statusCode(200)
                .header("ce-type", EventTypes.INFERENCE_COMPLETED).body("labels", hasSize(1)).body("version", is("v1"));
        structured(EventTypes.INFERENCE_REQUESTED, "i-2", "q-1", request(8)).then().statusCode(200)
                .body("data.probabilities[0]", hasSize(3));
        given().contentType("application/json").body(dev.cnai.events.EventCodec.encode(request(8))).post("/")
                .then().statusCode(200).body("labels", hasSize(1));
    }

    @Test
    void wrongShapeIs400WithExpectedFeatures() throws Exception {
        promoted();
        binary(EventTypes.INFERENCE_REQUESTED, "i-3", "q-3", request(5)).then().statusCode(400)
                .body("error", containsString("expects 8"));
    }

    @Test
    void nanIs400() throws Exception {
        promoted();
        binary(EventTypes.INFERENCE_REQUESTED, "i-4", "q-4",
                "{\"instances\":[[1,2,3,4,5,6,7,\"NaN\"]]}").then().statusCode(400);
    }

    @Test
    void unknownModelIs404() throws Exception {
        promoted();
        binary(EventTypes.INFERENCE_REQUESTED, "i-5", "q-5", Map.of("model", "other", "instances", List.of(new float[8])))
                .then().statusCode(404).body("error", containsString("blobs"));
    }
}
