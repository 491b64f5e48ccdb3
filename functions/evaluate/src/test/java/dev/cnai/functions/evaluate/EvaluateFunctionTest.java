package dev.cnai.functions.evaluate;

import static dev.cnai.functions.support.testing.CloudEventRequests.binary;
import static dev.cnai.functions.support.testing.CloudEventRequests.structured;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.events.EventTypes;
import dev.cnai.events.ShardTrained;
import dev.cnai.functions.support.testing.FunctionTestResource;
import dev.cnai.functions.support.testing.MalformedEventContract;
import dev.cnai.storage.ObjectStores;
import dev.cnai.testing.TestRuns;
import io.cloudevents.CloudEvent;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(FunctionTestResource.class)
class EvaluateFunctionTest extends MalformedEventContract {

    @Override
    protected String acceptedType() {
        return EventTypes.SHARD_TRAINED;
    }

    static List<ShardTrained> trained(String run, int rounds) throws Exception {
        TestRuns runs = new TestRuns(ObjectStores.open(FunctionTestResource.storeDir().toString()),
                Files.createTempDirectory("ev"));
        return runs.train(runs.prepare(run, rounds));
    }

    static List<CloudEvent> await(String run, String type, int n) throws InterruptedException {
        return FunctionTestResource.sink().await(e -> run.equals(e.getSubject()) && type.equals(e.getType()), n,
                Duration.ofSeconds(30));
    }

    @Test
    void fanInWaitsForEveryShardThenStartsTheNextRound() throws Exception {
        List<ShardTrained> reports = trained("run-e1", 3);
        for (int i = 0; i < 3; i++) {
            binary(EventTypes.SHARD_TRAINED, "t-" + i, "run-e1", reports.get(i)).then().statusCode(204);
        }
        assertEquals(0, FunctionTestResource.sink().events().stream().filter(e -> "run-e1".equals(e.getSubject())).count());
        structured(EventTypes.SHARD_TRAINED, "t-3", "run-e1", reports.get(3)).then().statusCode(204);
        assertEquals(1, await("run-e1", EventTypes.ROUND_COMPLETED, 1).size());
        assertEquals(4, await("run-e1", EventTypes.SHARD_ASSIGNED, 4).size());
    }

    @Test
    void redeliveredShardIsCountedOnce() throws Exception {
        List<ShardTrained> reports = trained("run-e2", 3);
        for (int i = 0; i < 3; i++) {
            binary(EventTypes.SHARD_TRAINED, "u-0", "run-e2", reports.get(0)).then().statusCode(204);
        }
        binary(EventTypes.SHARD_TRAINED, "u-1", "run-e2", reports.get(1)).then().statusCode(204);
        binary(EventTypes.SHARD_TRAINED, "u-2", "run-e2", reports.get(2)).then().statusCode(204);
        assertEquals(0, FunctionTestResource.sink().events().stream().filter(e -> "run-e2".equals(e.getSubject())).count(),
                "three deliveries of shard 0 must not complete a 4-shard round");
        binary(EventTypes.SHARD_TRAINED, "u-3", "run-e2", reports.get(3)).then().statusCode(204);
        await("run-e2", EventTypes.ROUND_COMPLETED, 1);
        for (int i = 0; i < 4; i++) {
            binary(EventTypes.SHARD_TRAINED, "u-" + i, "run-e2", reports.get(i)).then().statusCode(204);
        }
        // the sink is posted to before the function answers: what a redelivery emitted is already there
        assertEquals(1 + 4, FunctionTestResource.sink().events().stream().filter(e -> "run-e2".equals(e.getSubject()))
                .count(), "redeliveries after the confirmed outcome emit nothing (no second fan-out)");
        assertEquals(4, Files.list(FunctionTestResource.storeDir().resolve("runs/run-e2/rounds/1/reports")).count());
    }

    @Test
    void lastRoundExportsAndScoresTheModel() throws Exception {
        List<ShardTrained> reports = trained("run-e3", 1);
        for (int i = 0; i < 4; i++) {
            binary(EventTypes.SHARD_TRAINED, "v-" + i, "run-e3", reports.get(i)).then().statusCode(204);
        }
        CloudEvent evaluated = await("run-e3", EventTypes.MODEL_EVALUATED, 1).get(0);
        String data = new String(evaluated.getData().toBytes());
        assertEquals(true, data.contains("\"confusion\""), data);
        assertEquals(true, Files.isRegularFile(FunctionTestResource.storeDir().resolve("runs/run-e3/model/model.onnx")));
    }

    @Test
    void completedRoundsAndTheirValidationAccuracyAreInTheMetrics() throws Exception {
        String before = given().get("/q/metrics").then().statusCode(200).extract().asString();
        // every decision's counter is there from the start, at 0 or more
        double continued = metricValue(before, "cnai_rounds_completed_total{decision=\"continue\"}");
        metricValue(before, "cnai_rounds_completed_total{decision=\"early-stop\"}");
        double done = metricValue(before, "cnai_rounds_completed_total{decision=\"done\"}");
        List<ShardTrained> reports = trained("run-e4", 2);
        for (int i = 0; i < 4; i++) {
            binary(EventTypes.SHARD_TRAINED, "w-" + i, "run-e4", reports.get(i)).then().statusCode(204);
        }
        CloudEvent round = await("run-e4", EventTypes.ROUND_COMPLETED, 1).get(0);
        double reported = dev.cnai.events.EventCodec.mapper().readTree(round.getData().toBytes())
                .path("validationAccuracy").asDouble();
        String after = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertEquals(continued + 1, metricValue(after, "cnai_rounds_completed_total{decision=\"continue\"}"), after);
        assertEquals(done, metricValue(after, "cnai_rounds_completed_total{decision=\"done\"}"), after);
        double accuracy = metricValue(after, "cnai_round_validation_accuracy");
        assertEquals(reported, accuracy, 1e-9, after);
        assertTrue(accuracy >= 0 && accuracy <= 1, after);
    }

    private static double metricValue(String metrics, String series) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(series + " ")) {
                String value = line.substring(series.length() + 1);
                int exemplar = value.indexOf(" # "); // OpenMetrics exemplar when a span was open
                return Double.parseDouble((exemplar < 0 ? value : value.substring(0, exemplar)).trim());
            }
        }
        throw new AssertionError(series + " not in /q/metrics:\n" + metrics);
    }
}
