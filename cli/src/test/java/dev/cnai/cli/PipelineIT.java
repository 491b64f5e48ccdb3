package dev.cnai.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cnai.data.Dataset;
import dev.cnai.data.ShardCodec;
import dev.cnai.events.EventCodec;
import dev.cnai.events.EventTypes;
import dev.cnai.onnx.OnnxModel;
import dev.cnai.onnx.Prediction;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.PulledModel;
import dev.cnai.registry.Registries;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The real pipeline end to end: the local broker and the five packaged functions as separate processes,
 * real HTTP CloudEvents between them, on a small slice of MNIST.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineIT {
    private static final String RUN = "it-run-1";
    private static final Duration IDLE = Duration.ofSeconds(3);
    private static LocalStack stack;
    private static RunWatcher.Outcome outcome;

    @BeforeAll
    static void startAndRun() throws Exception {
        // train-shard and infer scale to zero with a short idle timeout, so the run also exercises cold starts.
        stack = LocalStack.start(EndToEnd.options(Files.createTempDirectory("cnai-e2e-"),
                Set.of("train-shard", "infer"), IDLE));
        outcome = EndToEnd.smallRun(stack, RUN);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void runRegistersAModel() {
        EndToEnd.assertRegistered(stack, outcome);
        assertTrue(outcome.evaluated().test().accuracy() > 0.6);
        assertEquals("v1", outcome.registered().version());
    }

    @Test
    @Order(2)
    void servedPredictionsMatchTheRegisteredModel() throws Exception {
        Dataset test = ShardCodec.decode(Files.readAllBytes(stack.storeDir().resolve("runs/" + RUN + "/data/test.bin")));
        int n = Math.min(20, test.rows());
        float[] x = Arrays.copyOf(test.x(), n * test.features());
        ModelRegistry registry = Registries.open(stack.registryDir().toString());
        PulledModel pulled = registry.pull("mnist-mlp", "production");
        Prediction expected;
        try (OnnxModel model = OnnxModel.load(pulled.onnx(), 1)) {
            expected = model.predict(x, n);
        }
        List<float[]> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(Arrays.copyOfRange(x, i * test.features(), (i + 1) * test.features()));
        }
        awaitInferReady();
        JsonNode served = EndToEnd.infer(stack, rows);
        assertEquals("v1", served.path("version").asText());
        assertEquals(pulled.version().modelDigest(), served.path("modelDigest").asText());
        for (int i = 0; i < n; i++) {
            assertEquals(expected.labels()[i], served.path("labels").get(i).asLong(), "label of row " + i);
            float[] p = new float[expected.classes()];
            for (int c = 0; c < p.length; c++) {
                p[c] = (float) served.path("probabilities").get(i).get(c).asDouble();
            }
            assertArrayEquals(Arrays.copyOfRange(expected.probabilities(), i * p.length, (i + 1) * p.length), p, 1e-6f);
        }
    }

    @Test
    @Order(3)
    void inferenceEventThroughTheBrokerGetsAReply() throws Exception {
        float[] row = new float[784];
        stack.send(EventTypes.INFERENCE_REQUESTED, "it-infer-1", Map.of("runId", "it-infer-1", "instances", List.of(row)));
        JsonNode reply = await("it-infer-1", EventTypes.INFERENCE_COMPLETED, 1).get(0);
        assertEquals(1, reply.path("data").path("labels").size());
    }

    @Test
    @Order(4)
    void redeliveredModelEvaluatedCreatesNoSecondVersion() throws Exception {
        JsonNode evaluated = await(RUN, EventTypes.MODEL_EVALUATED, 1).get(0);
        HttpResponse<String> resp = EndToEnd.HTTP.send(HttpRequest.newBuilder(URI.create(stack.brokerUrl()))
                .header("Content-Type", "application/cloudevents+json")
                .POST(HttpRequest.BodyPublishers.ofString(evaluated.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(2, resp.statusCode() / 100, resp.body());
        // register answered the redelivery (the broker logs a second delivery): it emitted nothing, made no version
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (deliveries(EventTypes.MODEL_EVALUATED, "register") < 2) {
            assertTrue(System.nanoTime() < deadline, "the redelivered model.evaluated was not delivered to register");
            Thread.sleep(100);
        }
        assertEquals(1, await(RUN, EventTypes.MODEL_REGISTERED, 1).size(), "a confirmed decision is not emitted again");
        assertEquals(1, Registries.open(stack.registryDir().toString()).list("mnist-mlp").size());
    }

    @Test
    @Order(5)
    void idleFunctionsScaleToZeroAndTheNextEventStartsThemAgain() throws Exception {
        assertTrue(coldStarts("train-shard") >= 1, "train-shard was started by its first event: " + brokerLog());
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!(brokerLog().contains("stopped infer") && brokerLog().contains("stopped train-shard"))) {
            assertTrue(System.nanoTime() < deadline, "idle functions were not stopped: " + brokerLog());
            Thread.sleep(200);
        }
        int before = coldStarts("infer");
        float[] row = new float[784];
        stack.send(EventTypes.INFERENCE_REQUESTED, "it-infer-2", Map.of("runId", "it-infer-2", "instances", List.of(row)));
        JsonNode reply = await("it-infer-2", EventTypes.INFERENCE_COMPLETED, 1).get(0);
        assertEquals(1, reply.path("data").path("labels").size());
        assertEquals(before + 1, coldStarts("infer"), "the event after scale to zero started infer again: " + brokerLog());
    }

    /** Successful deliveries of {@code type} to {@code trigger}, from the broker's {@code events.jsonl}. */
    private static long deliveries(String type, String trigger) throws IOException {
        return Files.readAllLines(stack.brokerDataDir().resolve("events.jsonl")).stream().map(l -> {
            try {
                return EventCodec.mapper().readTree(l);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).filter(n -> "delivered".equals(n.path("kind").asText()) && type.equals(n.path("type").asText())
                && trigger.equals(n.path("trigger").asText())).count();
    }

    private static String brokerLog() throws IOException {
        return Files.readString(stack.brokerLog());
    }

    private static int coldStarts(String function) throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("cold start " + function + " \\d+ ms").matcher(brokerLog());
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static void awaitInferReady() throws Exception {
        EndToEnd.awaitInferReady(stack);
    }

    private static List<JsonNode> await(String subject, String type, int count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<JsonNode> found = List.of();
        while (System.nanoTime() < deadline) {
            found = stack.events(subject, 0).stream().filter(e -> type.equals(e.path("type").asText())).toList();
            if (found.size() >= count) {
                return found;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("expected " + count + " " + type + " events for " + subject + ", saw " + found.size());
    }
}
