package dev.cnai.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cnai.events.EventTypes;
import dev.cnai.events.RunRequested;
import dev.cnai.registry.ModelAnnotations;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.ModelVersion;
import dev.cnai.registry.Registries;
import dev.cnai.testing.Fixtures;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Zipkin server (Maven Central's exec jar, copied by {@code mvn package} to {@code cli/target/zipkin/}) collects
 * the spans of a small training run through a local stack, exported as {@code cnai local --traces} exports them; its
 * HTTP API must show ONE trace for the run holding the CLI's run span, preprocess, one train-shard span per shard per
 * round, one evaluate span per report, register, every span's parent inside the trace, and, per round, the evaluate
 * span that completed the fan-in linked to every shard's train-shard span of that round; and an Open Inference
 * Protocol request's span links to that trace through the served model's lineage. Skipped, saying why, without the jar.
 */
class TracesIT {
    private static final String RUN = "trace-run-1";
    private static LocalStack stack;
    private static Traces zipkin;
    private static RunWatcher.Outcome outcome;
    private static String traceId;
    /** (round, shard) of every shard.assigned of the run, from the broker's log. */
    private static final Set<String> assigned = new TreeSet<>();

    static boolean available() {
        return Files.isRegularFile(Traces.serverJar(EndToEnd.repo()));
    }

    static void assumeAvailable() {
        Assumptions.assumeTrue(available(), Traces.serverJar(EndToEnd.repo())
                + " not found: `mvn -B package -DskipTests -pl cli -am` copies io.zipkin:zipkin-server (exec) there");
    }

    @BeforeAll
    static void startAndRun() throws Exception {
        if (!available()) {
            return; // each test is skipped with the reason
        }
        Path home = Files.createTempDirectory("cnai-traces-");
        LocalStack.Options opts = EndToEnd.options(home, LocalStack.DEFAULT_ON_DEMAND, Duration.ofSeconds(10));
        zipkin = Traces.start(EndToEnd.repo(), home.resolve("zipkin"), Prometheus.freePort(opts.portBase() + 9),
                Duration.ofSeconds(180));
        stack = LocalStack.start(opts.withBrokerEnv(zipkin.functionEnv()));
        RunRequested req = Cnai.parse("--dataset", Fixtures.mnistTarball().toString(), "--limit", "1200",
                "--rounds", "2", "--shards", "3", "--hidden", "16", "--min-accuracy", "0.3").run.request(RUN);
        try (Traces.RunSpan span = zipkin.runSpan(RUN)) {
            traceId = span.context().traceId();
            stack.submitRun(RUN, req, span.context());
            outcome = new RunWatcher(stack, System.out).follow(RUN, Duration.ofMinutes(5));
        }
        for (JsonNode e : stack.events(RUN, 0)) {
            if (EventTypes.SHARD_ASSIGNED.equals(e.path("type").asText())) {
                assigned.add(e.path("data").path("round").asInt() + "/" + e.path("data").path("shard").asInt());
            }
        }
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (zipkin != null) {
            zipkin.close();
        }
    }

    @Test
    void theRunIsOneTraceWithEveryStepTheFanOutAndTheFanInLinks() throws Exception {
        assumeAvailable();
        EndToEnd.assertRegistered(stack, outcome);
        assertTrue(assigned.size() >= 6, "2 rounds of 3 shards assigned: " + assigned);
        int expectedSteps = 1 + 1 + 2 * assigned.size() + 1; // cnai run, preprocess, train-shard + evaluate, register
        List<JsonNode> spans = awaitSpans(expectedSteps);

        // one trace: Zipkin finds exactly one trace with the run's spans, the one the CLI's span started
        JsonNode traces = zipkin.traces("annotationQuery=" + enc("cnai.run_id=" + RUN) + "&limit=100&lookback=3600000");
        assertEquals(1, traces.size(), "traces holding spans of " + RUN + ": " + traces.size());
        assertEquals(traceId, traces.get(0).get(0).path("traceId").asText());

        Map<String, JsonNode> byId = new HashMap<>();
        spans.forEach(s -> byId.put(s.path("id").asText(), s));
        Map<String, List<JsonNode>> byName = spans.stream().collect(Collectors.groupingBy(s -> s.path("name").asText()));
        assertEquals(1, byName.getOrDefault("cnai run", List.of()).size(), "names: " + byName.keySet());
        assertEquals(1, byName.getOrDefault("preprocess run.requested", List.of()).size(), "names: " + byName.keySet());
        assertEquals(1, byName.getOrDefault("register model.evaluated", List.of()).size(), "names: " + byName.keySet());
        // fan-out: one train-shard span per (round, shard) assigned; one evaluate span per report
        List<JsonNode> train = byName.getOrDefault("train-shard shard.assigned", List.of());
        List<JsonNode> eval = byName.getOrDefault("evaluate shard.trained", List.of());
        assertEquals(assigned, roundShards(train), "train-shard spans");
        assertEquals(assigned, roundShards(eval), "evaluate spans");
        // every span but the CLI's has its parent in this trace: nothing dangles, nothing starts another trace
        for (JsonNode s : spans) {
            if (!s.path("name").asText().equals("cnai run")) {
                assertTrue(byId.containsKey(s.path("parentId").asText()), "parent of " + s + " is not in the trace");
            } else {
                assertFalse(s.has("parentId"), "the CLI's span is the root");
            }
        }
        // fan-in: per round, the evaluate span that completed it links to every shard's train-shard span of the round
        Map<String, Set<String>> trainByRound = new TreeMap<>();
        for (JsonNode t : train) {
            trainByRound.computeIfAbsent(tag(t, "cnai.round"), r -> new TreeSet<>()).add(t.path("id").asText());
        }
        Map<String, Set<String>> linksByRound = new TreeMap<>();
        for (JsonNode e : eval) {
            String linked = tag(e, "cnai.linked_spans");
            if (!linked.isEmpty()) {
                assertEquals(null, linksByRound.put(tag(e, "cnai.round"), new TreeSet<>(List.of(linked.split(",")))),
                        "one fan-in per round");
            }
        }
        assertEquals(trainByRound, linksByRound, "fan-in links of each round's completing evaluate span");
    }

    @Test
    void anInferenceLinksToTheTraceOfTheRunThatTrainedTheServedModel() throws Exception {
        assumeAvailable();
        EndToEnd.assertRegistered(stack, outcome);
        ModelRegistry registry = Registries.open(stack.registryDir().toString());
        ModelVersion production = registry.resolve("mnist-mlp", ModelRegistry.PRODUCTION).orElseThrow();
        String tp = production.annotations().get(ModelAnnotations.RUN_TRACEPARENT);
        assertTrue(tp != null && tp.substring(3, 35).equals(traceId), "lineage traceparent " + tp);

        EndToEnd.awaitInferReady(stack);
        StringBuilder zeros = new StringBuilder();
        for (int i = 0; i < 784; i++) {
            zeros.append(i == 0 ? "0" : ",0");
        }
        HttpResponse<String> r = EndToEnd.HTTP.send(HttpRequest.newBuilder(URI.create(stack.functionUrl("infer")
                + "v2/models/mnist-mlp/infer")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,784],"
                        + "\"datatype\":\"FP32\",\"data\":[" + zeros + "]}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode found = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (found == null && System.nanoTime() < deadline) {
            for (JsonNode t : zipkin.traces("annotationQuery=" + enc("cnai.training_trace_id=" + traceId)
                    + "&limit=10&lookback=3600000")) {
                for (JsonNode s : t) {
                    if (s.path("name").asText().equals("infer predict")) {
                        found = s;
                    }
                }
            }
            Thread.sleep(500);
        }
        assertTrue(found != null, "no 'infer predict' span tagged with the training trace; zipkin log " + zipkin.log());
        assertEquals("v1", tag(found, "cnai.model_version"));
        assertTrue(tag(found, "cnai.linked_spans").length() == 16, "linked to the run's registering span: " + found);
    }

    /** The run's trace once it holds at least {@code n} spans of the pipeline (up to 90 s: on-demand functions flush on stop). */
    private static List<JsonNode> awaitSpans(int n) throws Exception {
        List<JsonNode> spans = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            spans.clear();
            zipkin.trace(traceId).forEach(spans::add);
            long steps = spans.stream().filter(s -> !s.path("kind").asText().equals("SERVER")).count();
            if (steps >= n) {
                Thread.sleep(2000); // the last batches
                spans.clear();
                zipkin.trace(traceId).forEach(spans::add);
                return spans;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("trace " + traceId + " has " + spans.size() + " spans, expected at least " + n
                + " step spans: " + spans.stream().map(s -> s.path("name").asText()).sorted().toList()
                + "; logs in " + stack.brokerLog().getParent());
    }

    private static Set<String> roundShards(List<JsonNode> spans) {
        Set<String> out = new TreeSet<>();
        spans.forEach(s -> out.add(tag(s, "cnai.round") + "/" + tag(s, "cnai.shard")));
        return Collections.unmodifiableSet(out);
    }

    private static String tag(JsonNode span, String key) {
        return span.path("tags").path(key).asText("");
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }
}
