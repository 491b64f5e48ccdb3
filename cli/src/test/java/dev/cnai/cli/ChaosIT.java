package dev.cnai.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cnai.events.EventCodec;
import dev.cnai.events.EventTypes;
import dev.cnai.events.RunRequested;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.ModelVersion;
import dev.cnai.registry.Registries;
import dev.cnai.storage.Digests;
import dev.cnai.testing.Fixtures;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole pipeline under the faults of real delivery, on the local stack (broker + five function processes, real
 * HTTP CloudEvents): the same small run clean, then under the broker's fault injection (duplicates with p = 0.3,
 * random delays that reorder, transient 503s, lost acknowledgements), then with one kill -9 per step. Each faulty
 * run must (a) complete, (b) register a model whose ONNX digest is the clean run's, (c) cause at most
 * 1/(1 − p) × the clean run's events plus a small constant, (d) dead-letter nothing and (e) leave only whole objects
 * behind. Last, the storm of the reliability issue: a finished run's old events sent again cause a bounded number of
 * events and no new version.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosIT {
    private static final String RUN = "chaos-run";
    private static final double P_DUPLICATE = 0.3;
    /**
     * Events a fault may add beyond the duplication bound: a kill between deciding and confirming re-sends that one
     * emission (at most a round's fan-out: 4 assignments + round.completed), three kills' worth.
     */
    private static final int SLACK = 15;
    private static final Map<String, String> REQUEST = Map.of("limit", "1500", "rounds", "3", "hidden", "32",
            "min-accuracy", "0.5");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static Result clean;

    /** What a run left behind. */
    record Result(RunWatcher.Outcome outcome, List<JsonNode> events, Path home, String modelDigest) {
        long count(String type) {
            return events.stream().filter(e -> type.equals(e.path("type").asText())).count();
        }
    }

    @BeforeAll
    static void cleanRun() throws Exception {
        clean = run("clean", null, stack -> { });
        assertEquals("registered", clean.outcome().status(), "clean run: " + clean.outcome().reason());
        checkWholeAndNothingDeadLettered(clean);
        summary("clean", clean);
    }

    @Test
    @Order(1)
    void duplicatesDelaysTransientErrorsAndLostAcksChangeNothing() throws Exception {
        Result r = run("delivery", "seed=11,duplicate=" + P_DUPLICATE + ",delay=0..150ms,error=0.1,lost=0.1", s -> { });
        summary("delivery", r);
        assertSameModelAndBoundedEvents(r);
        assertTrue(faultCount(r, "duplicate") > 0 && faultCount(r, "error") > 0 && faultCount(r, "lost") > 0,
                "the faults really happened: " + faults(r));
    }

    @Test
    @Order(2)
    void oneKillPerStepLosesNothing() throws Exception {
        String kills = String.join(",",
                "seed=5",
                "kill=preprocess:" + EventTypes.RUN_REQUESTED + ":1:300ms",        // mid-read / mid-shard-write
                "kill=train-shard:" + EventTypes.SHARD_ASSIGNED + ":3:40ms",       // mid-epoch
                "kill=evaluate:" + EventTypes.SHARD_TRAINED + ":4:25ms",          // round 1's last report: mid-aggregation
                "kill-on-emit=evaluate:" + EventTypes.SHARD_ASSIGNED + ":2",      // decided, fan-out half sent
                "kill=register:" + EventTypes.MODEL_EVALUATED + ":1:60ms");       // mid-gate / mid-push
        Result r = run("kills", kills, s -> { });
        summary("kills", r);
        assertSameModelAndBoundedEvents(r);
        assertEquals(4, faultCount(r, "kill"), "every kill happened: " + faults(r));
        assertEquals(1, faultCount(r, "kill-on-emit"), "the kill between deciding and emitting happened: " + faults(r));
    }

    @Test
    @Order(3)
    void oldEventsSentAgainAfterTheRunCauseAFewEventsAndNoNewVersion() throws Exception {
        Path home = Files.createTempDirectory("cnai-chaos-replay-");
        try (LocalStack stack = start(home, null)) {
            Result first = follow(stack, home);
            assertEquals("registered", first.outcome().status());
            // the run's own tail (model.promoted, infer's reload) may still be on its way when the watcher returns
            awaitQuiet(stack, home);
            int before = events(stack).size();
            List<JsonNode> old = new ArrayList<>();
            for (String type : List.of(EventTypes.SHARD_ASSIGNED, EventTypes.SHARD_TRAINED, EventTypes.MODEL_EVALUATED,
                    EventTypes.DATASET_PREPARED, EventTypes.ROUND_COMPLETED)) {
                first.events().stream().filter(e -> type.equals(e.path("type").asText())).forEach(old::add);
            }
            for (JsonNode e : old) {
                post(stack, e);
            }
            stack.submitRun(RUN, request());                          // the run request, once more
            awaitQuiet(stack, home);
            List<JsonNode> after = events(stack);
            int caused = after.size() - before - old.size() - 1;
            long assignments = first.count(EventTypes.SHARD_ASSIGNED);
            String line = "chaos replay   re-sent " + (old.size() + 1) + " old events (run.requested, "
                    + assignments + " shard.assigned, their reports, model.evaluated, …) after the run: they caused "
                    + caused + " more, " + Registries.open(stack.registryDir().toString()).list("mnist-mlp").size()
                    + " version(s) in the registry\n";
            System.out.print(line);
            Files.writeString(Path.of("target", "chaos-summary.txt"), line, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            // each old assignment is answered by its stored report (a reply); nothing else may follow
            assertTrue(caused <= assignments, "re-sending " + (old.size() + 1) + " old events caused " + caused
                    + " more (bound: one reply per assignment, " + assignments + ")");
            assertEquals(1, Registries.open(stack.registryDir().toString()).list("mnist-mlp").size(),
                    "no new model version");
            checkWholeAndNothingDeadLettered(new Result(first.outcome(), after, home, first.modelDigest()));
        }
    }

    private static void assertSameModelAndBoundedEvents(Result r) throws IOException {
        assertEquals("registered", r.outcome().status(), "run under faults: " + r.outcome().reason() + "; " + r.home());
        assertEquals(clean.modelDigest(), r.modelDigest(), "same seed, same model bytes, whatever the faults");
        double bound = clean.events().size() / (1 - P_DUPLICATE) + SLACK;
        assertTrue(r.events().size() <= bound, "accepted " + r.events().size() + " events against the clean run's "
                + clean.events().size() + " (bound " + bound + ")");
        assertEquals(1, Registries.open(r.home().resolve("registry").toString()).list("mnist-mlp").size(),
                "one version for one run");
        checkWholeAndNothingDeadLettered(r);
    }

    /** (d) and (e): no dead letters; every object is whole; every reference in every event matches its digest. */
    private static void checkWholeAndNothingDeadLettered(Result r) throws IOException {
        Path dead = r.home().resolve("broker/dead-letter.jsonl");
        assertTrue(!Files.exists(dead) || Files.size(dead) == 0, "dead letters: " + (Files.exists(dead)
                ? Files.readString(dead) : ""));
        Path store = r.home().resolve("store");
        try (Stream<Path> files = Files.walk(store)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                if (f.getFileName().toString().startsWith(".tmp-")) {
                    continue; // a write the kill interrupted: never visible under a key (list and get skip it)
                }
                if (f.toString().endsWith(".json")) {
                    EventCodec.mapper().readTree(Files.readAllBytes(f)); // parses: whole
                }
            }
        }
        int refs = 0;
        for (JsonNode e : r.events()) {
            refs += checkRefs(e.path("data"));
        }
        assertTrue(refs > 10, "events carry references: " + refs);
        ModelRegistry registry = Registries.open(r.home().resolve("registry").toString());
        for (ModelVersion v : registry.list("mnist-mlp")) {
            registry.pull("mnist-mlp", v.version()); // checked against its digests
        }
    }

    /** Every {uri, digest} object under {@code node} names bytes with that digest. */
    private static int checkRefs(JsonNode node) throws IOException {
        int n = 0;
        if (node.isObject() && node.has("uri") && node.has("digest") && node.path("uri").asText().startsWith("file:")) {
            byte[] bytes = Files.readAllBytes(Path.of(URI.create(node.path("uri").asText())));
            assertEquals(node.path("digest").asText(), Digests.sha256(bytes), node.toString());
            n++;
        }
        for (JsonNode child : node) {
            n += checkRefs(child);
        }
        return n;
    }

    private interface StackAction {
        void accept(LocalStack stack) throws Exception;
    }

    private static Result run(String name, String faults, StackAction during) throws Exception {
        Path home = Files.createTempDirectory("cnai-chaos-" + name + "-");
        try (LocalStack stack = start(home, faults)) {
            during.accept(stack);
            Result r = follow(stack, home);
            awaitQuiet(stack, home);
            return new Result(r.outcome(), events(stack), home, r.modelDigest());
        }
    }

    /** Every function is managed by the broker (so a killed one is started again by its next delivery). */
    private static LocalStack start(Path home, String faults) throws Exception {
        Map<String, String> env = faults == null ? Map.of() : Map.of("CNAI_BROKER_FAULTS", faults);
        return LocalStack.start(EndToEnd.options(home, Set.copyOf(LocalStack.FUNCTIONS), Duration.ofMinutes(10))
                .withBrokerEnv(env));
    }

    private static RunRequested request() {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--dataset",
                Fixtures.mnistTarball().toString()));
        REQUEST.forEach((k, v) -> args.addAll(java.util.List.of("--" + k, v)));
        return Cnai.parse(args.toArray(String[]::new)).run.request(RUN);
    }

    private static Result follow(LocalStack stack, Path home) throws Exception {
        stack.submitRun(RUN, request());
        RunWatcher.Outcome o = new RunWatcher(stack, System.out).follow(RUN, Duration.ofMinutes(5));
        String digest = o.registered() == null ? null : o.registered().modelDigest();
        return new Result(o, events(stack), home, digest);
    }

    /** Waits until the broker has nothing pending (queued, in flight, or waiting for a retry) and no new event came. */
    private static void awaitQuiet(LocalStack stack, Path home) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        int last = -1;
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            int now = events(stack).size();
            int pending = EventCodec.mapper().readTree(get(stack.brokerUrl() + "stats").body()).path("pending").asInt();
            if (now != last || pending > 0) {
                last = now;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > Duration.ofSeconds(2).toNanos()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("events kept coming for 120 s (" + last + " so far); see " + home);
    }

    /** Every event the broker accepted for the run, all pages (the cursor is the broker's {@code cnai-next-since}). */
    private static List<JsonNode> events(LocalStack stack) throws Exception {
        List<JsonNode> all = new ArrayList<>();
        String since = "0";
        while (true) {
            HttpResponse<String> resp = get(stack.brokerUrl() + "events?subject=" + RUN + "&since=" + since
                    + "&limit=10000");
            assertEquals(200, resp.statusCode(), resp.body());
            EventCodec.mapper().readTree(resp.body()).forEach(entry -> all.add(entry.path("event")));
            since = resp.headers().firstValue("cnai-next-since").orElseThrow();
            if (!resp.headers().firstValue("cnai-more").orElse("false").equals("true")) {
                return all;
            }
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Posts an event the broker logged (structured JSON) back to its ingress, as a redelivery would. */
    private static void post(LocalStack stack, JsonNode event) throws Exception {
        HttpResponse<String> resp = HTTP.send(HttpRequest.newBuilder(URI.create(stack.brokerUrl()))
                .header("Content-Type", "application/cloudevents+json")
                .POST(HttpRequest.BodyPublishers.ofString(event.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(2, resp.statusCode() / 100, resp.body());
    }

    /** Injected faults of one kind, from the broker's {@code FAULT <kind> <type> <id> -> <trigger>} lines. */
    private static long faultCount(Result r, String kind) throws IOException {
        return faults(r).lines().filter(l -> l.contains("FAULT " + kind + " dev.cnai.")).count();
    }

    /** Which step each fault hit ({@code kind -> trigger}), for the chaos matrix in docs/reliability.md. */
    private static Map<String, Long> faultsByStep(Result r) throws IOException {
        Map<String, Long> out = new java.util.TreeMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("FAULT (\\S+) dev\\.cnai\\.\\S+ \\S+ -> (\\S+)")
                .matcher(faults(r));
        while (m.find()) {
            out.merge(m.group(1) + " -> " + m.group(2), 1L, Long::sum);
        }
        return out;
    }

    /** One line per scenario on stdout and in {@code target/chaos-summary.txt}: what the run cost under its faults. */
    private static void summary(String name, Result r) throws IOException {
        String line = String.format(java.util.Locale.ROOT,
                "chaos %-8s events %d (clean %d, bound %.0f) model %s dead-letters 0 faults %s wall %.1fs%n", name,
                r.events().size(), clean.events().size(), clean.events().size() / (1 - P_DUPLICATE) + SLACK,
                r.modelDigest().equals(clean.modelDigest()) ? "identical" : "DIFFERENT", faultsByStep(r),
                r.outcome().wallSeconds());
        System.out.print(line);
        Path out = Path.of("target", "chaos-summary.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, line, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    private static String faults(Result r) throws IOException {
        return Files.readString(r.home().resolve("logs/broker.log")).lines().filter(l -> l.contains("FAULT "))
                .reduce("", (a, b) -> a + b + "\n");
    }
}
