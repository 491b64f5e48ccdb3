package dev.cnai.functions.preprocess;

import static dev.cnai.functions.support.testing.CloudEventRequests.binary;
import static dev.cnai.functions.support.testing.CloudEventRequests.structured;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.energy.EnergySource;
import dev.cnai.energy.StepEnergy;
import dev.cnai.events.EventCodec;
import dev.cnai.data.DatasetLimits;
import dev.cnai.events.EventTypes;
import dev.cnai.functions.support.testing.FunctionTestResource;
import dev.cnai.functions.support.testing.MalformedEventContract;
import dev.cnai.functions.support.testing.RecordingSink;
import dev.cnai.storage.ObjectStores;
import dev.cnai.testing.TestRuns;
import io.cloudevents.CloudEvent;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(FunctionTestResource.class)
class PreprocessFunctionTest extends MalformedEventContract {
    static TestRuns runs;

    @BeforeAll
    static void data() throws Exception {
        runs = new TestRuns(ObjectStores.open(Files.createTempDirectory("pp").toString()), Files.createTempDirectory("pp"));
    }

    @Override
    protected String acceptedType() {
        return EventTypes.RUN_REQUESTED;
    }

    static RecordingSink sink() {
        return FunctionTestResource.sink();
    }

    static List<CloudEvent> await(String run, String type, int n) throws InterruptedException {
        return sink().await(e -> run.equals(e.getSubject()) && type.equals(e.getType()), n, Duration.ofSeconds(20));
    }

    @Test
    void binaryRunRequestPreparesAndFansOut() throws Exception {
        binary(EventTypes.RUN_REQUESTED, "req-1", "run-p1", runs.request("run-p1", 2)).then().statusCode(204);
        assertEquals(1, await("run-p1", EventTypes.DATASET_PREPARED, 1).size());
        assertEquals(4, await("run-p1", EventTypes.SHARD_ASSIGNED, 4).size());
        assertEquals(4, Files.list(FunctionTestResource.storeDir().resolve("runs/run-p1/data"))
                .filter(p -> p.getFileName().toString().startsWith("shard-")).count());
    }

    @Test
    void structuredModeIsAccepted() throws Exception {
        structured(EventTypes.RUN_REQUESTED, "req-2", "run-p2", runs.request("run-p2", 2)).then().statusCode(204);
        await("run-p2", EventTypes.SHARD_ASSIGNED, 4);
    }

    @Test
    void plainJsonPostIsARunRequest() throws Exception {
        given().contentType("application/json").body(dev.cnai.events.EventCodec.encode(runs.request("run-p3", 2)))
                .post("/").then().statusCode(204);
        await("run-p3", EventTypes.SHARD_ASSIGNED, 4);
    }

    @Test
    void redeliveryAfterTheConfirmedEmissionEmitsAndRewritesNothing() throws Exception {
        binary(EventTypes.RUN_REQUESTED, "req-4", "run-p4", runs.request("run-p4", 2)).then().statusCode(204);
        List<CloudEvent> first = await("run-p4", EventTypes.SHARD_ASSIGNED, 4);
        Path plan = FunctionTestResource.storeDir().resolve("runs/run-p4/plan.json");
        long planModified = Files.getLastModifiedTime(plan).toMillis();
        await("run-p4", EventTypes.DATASET_PREPARED, 1);
        // the handling's energy record is written just after the response: count the files once it is there
        Path energy = FunctionTestResource.storeDir().resolve(dev.cnai.energy.EnergyLedger.key("run-p4", "preprocess",
                "req-4"));
        for (long deadline = System.nanoTime() + 10_000_000_000L; !Files.exists(energy)
                && System.nanoTime() < deadline; ) {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(energy), "energy record " + energy);
        long files = Files.walk(FunctionTestResource.storeDir().resolve("runs/run-p4")).count();

        binary(EventTypes.RUN_REQUESTED, "req-4", "run-p4", runs.request("run-p4", 2)).then().statusCode(204);
        // the sink is posted to before the function answers: what a redelivery emitted is already there
        assertEquals(1 + 4, FunctionTestResource.sink().events().stream().filter(e -> "run-p4".equals(e.getSubject()))
                .count(), "a confirmed emission is not repeated");
        assertTrue(Files.isRegularFile(FunctionTestResource.storeDir().resolve("runs/run-p4/outbox/preprocess.json")));
        assertEquals(planModified, Files.getLastModifiedTime(plan).toMillis());
        assertEquals(files, Files.walk(FunctionTestResource.storeDir().resolve("runs/run-p4")).count());
    }

    @Test
    void invalidDatasetIs400WithTheReasonAndAPipelineFailedEvent() throws Exception {
        Path bad = Files.createTempFile("bad", ".csv");
        Files.writeString(bad, "0,0.1,0.2\n1,NaN,0.3\n2,0.5,0.5\n");
        String req = "{\"runId\":\"run-p5\",\"dataset\":{\"format\":\"csv\",\"uri\":\"" + bad + "\",\"shards\":1}}";
        binary(EventTypes.RUN_REQUESTED, "req-5", "run-p5", req).then().statusCode(400)
                .body("error", containsString("row"));
        CloudEvent failed = await("run-p5", EventTypes.PIPELINE_FAILED, 1).get(0);
        String data = new String(failed.getData().toBytes());
        assertEquals(true, data.contains("\"step\":\"preprocess\""), data);
    }

    @Test
    void aDatasetOverTheRowLimitIs413BeforeItIsReadWithAPipelineFailedEvent() throws Exception {
        // a 16-byte IDX file whose header promises 10^6 28x28 images: over cnai.preprocess.max-dataset-rows (100,000)
        Path images = Files.createTempFile("huge", ".idx");
        try (var out = new java.io.DataOutputStream(Files.newOutputStream(images))) {
            out.writeInt(0x00000803);
            out.writeInt(1_000_000);
            out.writeInt(28);
            out.writeInt(28);
        }
        String req = "{\"runId\":\"run-rows\",\"dataset\":{\"format\":\"idx\",\"uri\":\"" + images
                + "\",\"labelsUri\":\"" + images + "\",\"shards\":1}}";
        binary(EventTypes.RUN_REQUESTED, "req-rows", "run-rows", req).then().statusCode(413)
                .body("error", containsString("holds 1000000 rows, over the limit of 100000 rows"))
                .body("error", containsString(DatasetLimits.MAX_ROWS));
        String data = new String(await("run-rows", EventTypes.PIPELINE_FAILED, 1).get(0).getData().toBytes());
        assertTrue(data.contains("PAYLOAD_TOO_LARGE") && data.contains(DatasetLimits.MAX_ROWS), data);
    }

    @Test
    void missingDatasetFileNamesThePath() {
        String req = "{\"runId\":\"run-p6\",\"dataset\":{\"format\":\"csv\",\"uri\":\"/nonexistent/data.csv\"}}";
        binary(EventTypes.RUN_REQUESTED, "req-6", "run-p6", req).then().statusCode(404)
                .body("error", containsString("/nonexistent/data.csv"));
    }

    @Test
    void metricsCountInvocationsPerTypeAndOutcome() {
        binary(EventTypes.RUN_REQUESTED, "req-7", "run-p7", runs.request("run-p7", 2)).then().statusCode(204);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("cnai_function_invocations_total{function=\"preprocess\",outcome=\"success\",type=\"dev.cnai.run.requested\"}"))
                .body(containsString("cnai_function_duration_seconds_count{function=\"preprocess\""))
                .body(containsString("cnai_events_emitted_total{function=\"preprocess\",type=\"dev.cnai.shard.assigned\"}"));
    }

    /** JvmMetrics binds Quarkus's JVM and process meters on a background thread a second after start-up. */
    @Test
    void jvmAndProcessMetersArriveAfterStartUp() throws InterruptedException {
        List<String> meters = List.of("jvm_memory_used_bytes{", "jvm_gc_memory_allocated_bytes_total",
                "jvm_threads_live_threads", "jvm_classes_loaded_classes", "jvm_info_total{", "process_uptime_seconds",
                "process_cpu_seconds_total", "system_cpu_cores", "process_files_open_files");
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String metrics = "";
        while (System.nanoTime() < deadline) {
            metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            String body = metrics;
            if (meters.stream().allMatch(body::contains)) {
                break;
            }
            Thread.sleep(100);
        }
        for (String meter : meters) {
            assertTrue(metrics.contains(meter), meter + " missing from /q/metrics");
        }
    }

    @Test
    void eachHandledEventRecordsItsCpuTimeAndEnergyOnceAndExportsThem() throws Exception {
        binary(EventTypes.RUN_REQUESTED, "req-8", "run-p8", runs.request("run-p8", 2)).then().statusCode(204);
        Path record = FunctionTestResource.storeDir().resolve("runs/run-p8/energy/preprocess/req-8.json");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!Files.exists(record) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        StepEnergy e = EventCodec.read(Files.readAllBytes(record), StepEnergy.class);
        assertEquals("preprocess", e.function());
        assertEquals(EventTypes.RUN_REQUESTED, e.eventType());
        assertTrue(e.cpuSeconds() > 0, "preprocess reads and splits a dataset: " + e);
        assertTrue(e.wallSeconds() > 0, e.toString());
        assertEquals(EnergySource.ESTIMATE, e.source(), "no readable RAPL on this machine: " + e.method());
        assertEquals(e.cpuSeconds() * 3.5, e.joules(), 1e-9, "the documented default estimate");
        // a redelivery is answered from the store and adds no second record
        binary(EventTypes.RUN_REQUESTED, "req-8", "run-p8", runs.request("run-p8", 2)).then().statusCode(204);
        Thread.sleep(300);
        assertEquals(e, EventCodec.read(Files.readAllBytes(record), StepEnergy.class));
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("cnai_energy_joules_total{function=\"preprocess\",source=\"estimate\"}"), metrics);
        assertTrue(metrics.contains("cnai_step_cpu_seconds_total{function=\"preprocess\"}"), metrics);
    }

    @Test
    void healthIsUp() {
        given().get("/q/health").then().statusCode(200).body(containsString("UP"));
    }
}
