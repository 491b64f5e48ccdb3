package dev.cnai.functions.infer;

import static dev.cnai.functions.support.testing.CloudEventRequests.binary;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.events.EventTypes;
import dev.cnai.events.ModelPromoted;
import dev.cnai.functions.support.testing.FunctionTestResource;
import dev.cnai.registry.ModelPush;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.Registries;
import dev.cnai.storage.ObjectStores;
import dev.cnai.testing.TestRuns;
import io.opentelemetry.api.OpenTelemetry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Open Inference Protocol v2 REST conformance over real HTTP: every endpoint, FP32 and INT64 inputs, flat
 * and nested data, output selection, id and parameters echoed, every error case, batching metrics, and a
 * hot swap with requests in flight. The served model is the small "blobs" classifier (8 features, 3 classes).
 */
@QuarkusTest
@WithTestResource(FunctionTestResource.class)
@TestProfile(OipConformanceTest.Profile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OipConformanceTest {
    @Inject
    OpenTelemetry openTelemetry;

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("cnai.infer.batching.max-queue-delay-microseconds", "200");
        }
    }

    static final String FLAT = """
            {"id": "req-7", "parameters": {"trace": "t-1", "n": 2},
             "inputs": [{"name": "input", "shape": [2, 8], "datatype": "FP32",
                         "data": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1, 2, 3, 4, 5, 6, 7, 8]}]}""";

    static Response infer(String path, String body) {
        return given().contentType("application/json").body(body).post(path);
    }

    static String input(String shape, String datatype, String data) {
        return "{\"inputs\": [{\"name\": \"input\", \"shape\": " + shape + ", \"datatype\": \"" + datatype
                + "\", \"data\": " + data + "}]}";
    }

    static ModelRegistry registry() {
        return Registries.open(FunctionTestResource.registryDir().toString());
    }

    static void promote(ModelRegistry registry, String version) {
        registry.tag("blobs", version, "production");
        var v = registry.resolve("blobs", "production").orElseThrow();
        binary(EventTypes.MODEL_PROMOTED, "p-" + version + "-" + System.nanoTime(), "run-o",
                new ModelPromoted(v.runId(), "blobs", "production", v.version(), registry.reference("blobs", v.version()),
                        v.manifestDigest(), v.modelDigest())).then().statusCode(204);
    }

    @Test
    @Order(1)
    void liveButNotReadyBeforeAModelIsLoaded() {
        given().get("/v2/health/live").then().statusCode(200).body("live", is(true));
        given().get("/v2/health/ready").then().statusCode(503).body("ready", is(false));
        given().get("/v2/models/blobs/ready").then().statusCode(503).body("ready", is(false)).body("name", is("blobs"));
        infer("/v2/models/blobs/infer", FLAT).then().statusCode(503).header("Retry-After", "1")
                .body("error", containsString("not loaded"));
    }

    @Test
    @Order(2)
    void promotionLoadsTheProductionVersion() throws Exception {
        ModelRegistry registry = registry();
        new TestRuns(ObjectStores.open(FunctionTestResource.storeDir().toString()), Files.createTempDirectory("oip"))
                .registerModel("run-o1", registry);
        promote(registry, "v1");
        given().get("/v2/health/ready").then().statusCode(200).body("ready", is(true));
        given().get("/v2/models/blobs/ready").then().statusCode(200).body("ready", is(true));
        given().get("/v2/models/blobs/versions/v1/ready").then().statusCode(200).body("ready", is(true));
    }

    @Test
    @Order(3)
    void serverAndModelMetadata() {
        for (String path : List.of("/v2", "/v2/")) {
            given().get(path).then().statusCode(200).body("name", is("cnai-infer")).body("version", notNullValue())
                    .body("extensions", hasSize(0));
        }
        for (String path : List.of("/v2/models/blobs", "/v2/models/blobs/versions/v1")) {
            given().get(path).then().statusCode(200).body("name", is("blobs")).body("versions", contains("v1"))
                    .body("platform", is("onnxruntime_onnx"))
                    .body("inputs[0].name", is("input")).body("inputs[0].datatype", is("FP32"))
                    .body("inputs[0].shape", contains(-1, 8))
                    .body("outputs.name", contains("probabilities", "label"))
                    .body("outputs.datatype", contains("FP32", "INT64"))
                    .body("outputs[0].shape", contains(-1, 3)).body("outputs[1].shape", contains(-1));
        }
    }

    @Test
    @Order(4)
    void inferEchoesIdAndParametersAndReturnsProbabilitiesAndLabels() {
        Response r = infer("/v2/models/blobs/infer", FLAT);
        r.then().statusCode(200).body("model_name", is("blobs")).body("model_version", is("v1"))
                .body("id", is("req-7")).body("parameters.trace", is("t-1")).body("parameters.n", is(2))
                .body("outputs.name", contains("probabilities", "label"))
                .body("outputs[0].datatype", is("FP32")).body("outputs[0].shape", contains(2, 3))
                .body("outputs[0].data", hasSize(6))
                .body("outputs[1].datatype", is("INT64")).body("outputs[1].shape", contains(2))
                .body("outputs[1].data", hasSize(2));
        List<Float> p = r.jsonPath().getList("outputs[0].data", Float.class);
        List<Integer> labels = r.jsonPath().getList("outputs[1].data", Integer.class);
        for (int row = 0; row < 2; row++) {
            List<Float> rowP = p.subList(row * 3, row * 3 + 3);
            assertEquals(1.0, rowP.stream().mapToDouble(Float::doubleValue).sum(), 1e-4);
            assertEquals(rowP.indexOf(Collections.max(rowP)), labels.get(row));
        }
        infer("/v2/models/blobs/versions/v1/infer", FLAT).then().statusCode(200).body("model_version", is("v1"));
    }

    @Test
    @Order(5)
    void nestedDataInt64InputsOneRowShapeAndOutputSelection() {
        String flat = infer("/v2/models/blobs/infer", input("[2, 8]", "FP32",
                "[1, 2, 3, 4, 5, 6, 7, 8, 8, 7, 6, 5, 4, 3, 2, 1]")).then().statusCode(200).extract().asString();
        String nested = infer("/v2/models/blobs/infer", input("[2, 8]", "FP32",
                "[[1, 2, 3, 4, 5, 6, 7, 8], [8, 7, 6, 5, 4, 3, 2, 1]]")).then().statusCode(200).extract().asString();
        String int64 = infer("/v2/models/blobs/infer", input("[2, 8]", "INT64",
                "[[1, 2, 3, 4, 5, 6, 7, 8], [8, 7, 6, 5, 4, 3, 2, 1]]")).then().statusCode(200).extract().asString();
        assertEquals(flat, nested);
        assertEquals(flat, int64);
        infer("/v2/models/blobs/infer", input("[8]", "FP32", "[1, 2, 3, 4, 5, 6, 7, 8]")).then().statusCode(200)
                .body("outputs[1].shape", contains(1));
        infer("/v2/models/blobs/infer", "{\"outputs\": [{\"name\": \"label\"}], \"inputs\": [{\"name\": \"input\", "
                + "\"shape\": [1, 8], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4, 5, 6, 7, 8]}]}")
                .then().statusCode(200).body("outputs", hasSize(1)).body("outputs[0].name", is("label"))
                .body("outputs[0].datatype", is("INT64")).body("id", is((String) null));
    }

    @Test
    @Order(6)
    void clientErrorsAre400WithAMessage() {
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put(input("[1, 5]", "FP32", "[1, 2, 3, 4, 5]"), "expects [N, 8]");
        cases.put(input("[2, 8]", "FP32", "[1, 2, 3, 4, 5, 6, 7, 8]"), "data holds 8");
        cases.put(input("[1, 8]", "BYTES", "[1, 2, 3, 4, 5, 6, 7, 8]"), "datatype BYTES");
        cases.put(input("[1, 8]", "INT64", "[1.5, 2, 3, 4, 5, 6, 7, 8]"), "non-integer");
        cases.put(input("[1, 8]", "FP32", "[1, 2, 3, 4, 5, 6, 7, \"x\"]"), "only numbers");
        cases.put(input("[1, 8]", "FP32", "[1, 2, 3, 4, 5, 6, 7, 1e39]"), "not a finite");
        cases.put("{\"inputs\": [{\"name\": \"pixels\", \"shape\": [1, 8], \"datatype\": \"FP32\", "
                + "\"data\": [1, 2, 3, 4, 5, 6, 7, 8]}]}", "unknown input 'pixels'");
        cases.put("{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 8], \"datatype\": \"FP32\", "
                + "\"data\": [1, 2, 3, 4, 5, 6, 7, 8]}], \"outputs\": [{\"name\": \"logits\"}]}", "'logits'");
        cases.put("{\"inputs\": []}", "exactly one tensor");
        cases.put("{\"inputs\": [{\"name\": \"input\"}]}", "needs 'name', 'shape', 'datatype' and 'data'");
        cases.put("{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 8], \"datatype\": \"FP32\", \"data\": [1, 2",
                "malformed JSON");
        cases.put("not json", "malformed JSON");
        cases.put("[1, 2]", "must be a JSON object");
        cases.put("", "empty");
        cases.forEach((body, message) -> infer("/v2/models/blobs/infer", body).then().statusCode(400)
                .contentType("application/json").body("error", containsString(message)));
        // over cnai.events.max-bytes (4 MiB): 413 with the limit, before any parsing
        String oversized = "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 8], \"datatype\": \"FP32\", \"data\": ["
                + "0,".repeat(2_200_000) + "0]}]}";
        infer("/v2/models/blobs/infer", oversized).then().statusCode(413).contentType("application/json")
                .body("error", containsString("exceeds the limit of 4194304 bytes"));
    }

    @Test
    @Order(7)
    void unknownModelOrVersionIs404() {
        given().get("/v2/models/other").then().statusCode(404).body("error", containsString("'other'"));
        given().get("/v2/models/other/ready").then().statusCode(404).body("error", notNullValue());
        given().get("/v2/models/blobs/versions/v9").then().statusCode(404).body("error", containsString("'v9'"));
        given().get("/v2/models/blobs/versions/v9/ready").then().statusCode(404);
        infer("/v2/models/other/infer", FLAT).then().statusCode(404).body("error", containsString("'blobs'"));
        infer("/v2/models/blobs/versions/v9/infer", FLAT).then().statusCode(404).body("error", containsString("v9"));
    }

    @Test
    @Order(7)
    void withoutAnExporterTracingIsTheNoopAndARequestsTraceparentIsAccepted() {
        // no cnai.tracing endpoint in tests: no SDK is built (the cold-start rule of docs/operations.md#tracing)
        assertSame(OpenTelemetry.noop(), openTelemetry);
        given().contentType("application/json").header("traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").body(FLAT).post("/v2/models/blobs/infer")
                .then().statusCode(200).body("model_name", is("blobs"));
        given().contentType("application/json").header("traceparent", "not-a-traceparent").body(FLAT)
                .post("/v2/models/blobs/infer").then().statusCode(200); // an invalid one is ignored, as W3C asks
    }

    @Test
    @Order(8)
    void batchSizeAndQueueTimeMetricsArePublished() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("cnai_infer_batch_size_rows_count{model=\"blobs\"}"), metrics);
        assertTrue(metrics.contains("cnai_infer_queue_time_seconds_count{model=\"blobs\"}"), metrics);
        assertTrue(metrics.contains("cnai_infer_queue_rejected_total{model=\"blobs\"}"), metrics);
        assertTrue(metrics.contains("cnai_infer_queue_depth{model=\"blobs\"}"), metrics);
    }

    @Test
    @Order(9)
    void hotSwapDoesNotFailRequestsInFlight() throws Exception {
        ModelRegistry registry = registry();
        var v1 = registry.pull("blobs", "v1");
        var v2 = registry.push(new ModelPush("blobs", "run-o2", v1.onnx(), "sha256:" + "0".repeat(64), Map.of(),
                Map.of("accuracy", 0.9), "2026-01-01T00:00:00Z"));
        assertEquals("v2", v2.version());
        ExecutorService clients = Executors.newFixedThreadPool(8);
        AtomicBoolean stop = new AtomicBoolean();
        Set<String> versions = ConcurrentHashMap.newKeySet();
        List<Future<List<Integer>>> results = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            results.add(clients.submit(() -> {
                List<Integer> statuses = new ArrayList<>();
                while (!stop.get()) {
                    Response r = infer("/v2/models/blobs/infer", FLAT);
                    statuses.add(r.statusCode());
                    if (r.statusCode() == 200) {
                        versions.add(r.jsonPath().getString("model_version"));
                    }
                }
                return statuses;
            }));
        }
        for (int swap = 0; swap < 6; swap++) {
            Thread.sleep(150);
            promote(registry, swap % 2 == 0 ? "v2" : "v1");
        }
        Thread.sleep(150);
        stop.set(true);
        clients.shutdown();
        assertTrue(clients.awaitTermination(30, TimeUnit.SECONDS));
        int total = 0;
        Set<Integer> statuses = new HashSet<>();
        for (var f : results) {
            total += f.get().size();
            statuses.addAll(f.get());
        }
        assertEquals(Set.of(200), statuses, "every request in flight during 6 swaps succeeded");
        assertEquals(Set.of("v1", "v2"), versions);
        assertTrue(total > 50, "requests in flight: " + total);
        given().get("/v2/models/blobs").then().body("versions", contains("v1"));
    }
}
