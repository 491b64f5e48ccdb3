package dev.cnai.functions.infer;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.functions.support.testing.FunctionTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** A full queue answers 429 with Retry-After over real HTTP; nothing else fails and the queue stays bounded. */
@QuarkusTest
@WithTestResource(FunctionTestResource.class)
@TestProfile(OipBackPressureTest.Profile.class)
class OipBackPressureTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("cnai.infer.batching.max-queue-size", "2", "cnai.infer.batching.max-batch-size", "1",
                    "cnai.infer.batching.instance-count", "1");
        }
    }

    @Test
    void aFullQueueIs429WithRetryAfterAndTheRestSucceed() throws Exception {
        var registry = BlobsModel.registry();
        BlobsModel.register(registry, "run-b1", "bp");
        BlobsModel.send("p-b1", BlobsModel.productionPromotion(registry, "run-b1"));
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            rows.append(i == 0 ? "" : ", ").append("[1, 2, 3, 4, 5, 6, 7, 8]");
        }
        String body = "{\"inputs\": [{\"name\": \"input\", \"shape\": [64, 8], \"datatype\": \"FP32\", \"data\": ["
                + rows + "]}]}";
        ExecutorService clients = Executors.newFixedThreadPool(32);
        List<Future<Response>> out = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            out.add(clients.submit(() -> given().contentType("application/json").body(body)
                    .post("/v2/models/blobs/infer")));
        }
        int ok = 0;
        int refused = 0;
        for (var f : out) {
            Response r = f.get();
            if (r.statusCode() == 429) {
                refused++;
                assertEquals("1", r.header("Retry-After"));
                assertTrue(r.jsonPath().getString("error").contains("queued"));
            } else {
                assertEquals(200, r.statusCode(), r.asString());
                ok++;
            }
        }
        clients.shutdown();
        assertTrue(refused > 0, "some requests were refused (ok " + ok + ")");
        assertTrue(ok > 0, "some requests were served (refused " + refused + ")");
        String metrics = given().get("/q/metrics").then().extract().asString();
        assertTrue(metrics.contains("cnai_infer_queue_rejected_total{model=\"blobs\"} " + refused + ".0"), metrics);
    }
}
