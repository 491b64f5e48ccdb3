package dev.cnai.functions.trainshard;

import static dev.cnai.functions.support.testing.CloudEventRequests.binary;
import static dev.cnai.functions.support.testing.CloudEventRequests.structured;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.events.EventTypes;
import dev.cnai.events.ShardAssigned;
import dev.cnai.functions.support.testing.FunctionTestResource;
import dev.cnai.functions.support.testing.MalformedEventContract;
import dev.cnai.storage.ArtifactRef;
import dev.cnai.storage.ObjectStores;
import dev.cnai.testing.TestRuns;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(FunctionTestResource.class)
class TrainShardFunctionTest extends MalformedEventContract {

    @Override
    protected String acceptedType() {
        return EventTypes.SHARD_ASSIGNED;
    }

    static List<ShardAssigned> prepare(String run) throws Exception {
        return new TestRuns(ObjectStores.open(FunctionTestResource.storeDir().toString()), Files.createTempDirectory("ts"))
                .prepare(run, 2);
    }

    @Test
    void trainsAShardAndRepliesShardTrained() throws Exception {
        ShardAssigned a = prepare("run-t1").get(2);
        Response r = binary(EventTypes.SHARD_ASSIGNED, "a-1", "run-t1", a);
        r.then().statusCode(200).header("ce-type", EventTypes.SHARD_TRAINED).header("ce-subject", "run-t1")
                .header("ce-id", "run-t1/round-1/shard-2/shard.trained");
        assertEquals(2, r.jsonPath().getInt("shard"));
        assertEquals(a.rows(), r.jsonPath().getInt("samples"));
        assertTrue(Files.isRegularFile(FunctionTestResource.storeDir().resolve("runs/run-t1/rounds/1/shard-2.weights")));
    }

    @Test
    void trainingThroughputIsInTheMetrics() throws Exception {
        ShardAssigned a = prepare("run-t5").get(1);
        binary(EventTypes.SHARD_ASSIGNED, "a-5", "run-t5", a).then().statusCode(200);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        double samples = metricValue(metrics, "cnai_train_samples_total{engine=\"onnx\",model=\"mlp\",shard=\"1\"}");
        assertTrue(samples >= a.rows(), metrics);
        assertTrue(metricValue(metrics, "cnai_train_duration_seconds_count{engine=\"onnx\",model=\"mlp\",shard=\"1\"}") >= 1);
        assertTrue(metricValue(metrics, "cnai_train_duration_seconds_sum{engine=\"onnx\",model=\"mlp\",shard=\"1\"}") > 0);
        // a redelivery is answered from the store: no training, no samples
        binary(EventTypes.SHARD_ASSIGNED, "a-5", "run-t5", a).then().statusCode(200);
        String again = given().get("/q/metrics").then().extract().asString();
        assertEquals(samples, metricValue(again, "cnai_train_samples_total{engine=\"onnx\",model=\"mlp\",shard=\"1\"}"));
    }

    private static double metricValue(String metrics, String series) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(series + " ")) {
                String value = line.substring(series.length() + 1);
                int exemplar = value.indexOf(" # "); // OpenMetrics exemplar (trace and span id) when a span was open
                return Double.parseDouble((exemplar < 0 ? value : value.substring(0, exemplar)).trim());
            }
        }
        throw new AssertionError(series + " not in /q/metrics:\n" + metrics);
    }

    @Test
    void structuredModeRepliesStructured() throws Exception {
        ShardAssigned a = prepare("run-t2").get(0);
        structured(EventTypes.SHARD_ASSIGNED, "a-2", "run-t2", a).then().statusCode(200)
                .contentType("application/cloudevents+json").body("type", org.hamcrest.Matchers.is(EventTypes.SHARD_TRAINED));
    }

    @Test
    void redeliveryReturnsTheSameResultWithoutRetraining() throws Exception {
        ShardAssigned a = prepare("run-t3").get(1);
        String first = binary(EventTypes.SHARD_ASSIGNED, "a-3", "run-t3", a).then().statusCode(200).extract().asString();
        Path weights = FunctionTestResource.storeDir().resolve("runs/run-t3/rounds/1/shard-1.weights");
        long modified = Files.getLastModifiedTime(weights).toMillis();
        String again = binary(EventTypes.SHARD_ASSIGNED, "a-3", "run-t3", a).then().statusCode(200).extract().asString();
        assertEquals(first, again);
        assertEquals(modified, Files.getLastModifiedTime(weights).toMillis());
    }

    @Test
    void tamperedShardIsRefusedWithItsDigest() throws Exception {
        ShardAssigned a = prepare("run-t4").get(0);
        ArtifactRef wrong = new ArtifactRef(a.data().uri(), "sha256:" + "0".repeat(64), a.data().size());
        ShardAssigned tampered = new ShardAssigned(a.runId(), a.round(), a.shard(), a.shardCount(), a.rows(), wrong,
                a.weights(), a.plan());
        binary(EventTypes.SHARD_ASSIGNED, "a-4", "run-t4", tampered).then().statusCode(422)
                .body("error", org.hamcrest.Matchers.containsString("digest"));
    }
}
