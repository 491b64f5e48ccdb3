package dev.cnai.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker's injected faults, end to end over real HTTP, and that it keeps its promises while injecting them. */
class FaultInjectionTest extends BrokerFixture {

    @TempDir
    Path data;



    private LocalBroker broker(String yaml, Map<String, URI> subs, String faults, Path dir) throws IOException {
        BrokerConfig cfg = BrokerConfig.builder().port(0).dataDir(dir).subscribers(subs)
                .shutdownGrace(Duration.ofSeconds(1)).faults(Faults.parse(faults)).build();
        LocalBroker b = LocalBroker.start(cfg, TriggerLoader.parse(yaml, null),
                new PrintStream(console, true, StandardCharsets.UTF_8));
        open.add(b);
        return b;
    }

    /** A broker with one Trigger {@code sub} sending {@code dev.cnai.test.ping} events to {@code sub}. */
    private LocalBroker pingBroker(TestSubscriber sub, int retry, String faults, Path dir) throws IOException {
        return broker(trigger("sub", "dev.cnai.test.ping", retry), Map.of("sub", sub.uri()), faults, dir);
    }

    private TestSubscriber subscriber(java.util.function.IntFunction<TestSubscriber.Answer> r) throws IOException {
        TestSubscriber s = new TestSubscriber(r);
        open.add(s);
        return s;
    }

    /** A 200 answer carrying a reply CloudEvent {@code reply-<n>}. */
    private static TestSubscriber.Answer reply(int n) {
        return new TestSubscriber.Answer(200, Map.of("ce-specversion", "1.0", "ce-id", "reply-" + n,
                "ce-source", "/cnai/sub", "ce-type", "dev.cnai.test.pong", "Content-Type", "application/json"), "{}");
    }

    private void send(LocalBroker b, String id) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(b.uri().resolve("/"))
                .header("ce-specversion", "1.0").header("ce-id", id).header("ce-source", "/cnai/test")
                .header("ce-type", "dev.cnai.test.ping").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
    }

    /** Sends pings {@code <idPrefix>0} to {@code <idPrefix><events - 1>}. */
    private void sendPings(LocalBroker b, String idPrefix, int events) throws Exception {
        for (int i = 0; i < events; i++) {
            send(b, idPrefix + i);
        }
    }

    /**
     * Sends {@code events} pings, waits until {@code sub} got {@code deliveries} of them and the broker has nothing
     * pending, and counts the deliveries of each event id.
     */
    private Map<String, Long> sendAndDrain(LocalBroker b, TestSubscriber sub, String idPrefix, int events,
            int deliveries) throws Exception {
        sendPings(b, idPrefix, events);
        sub.await(deliveries);
        drained(b);
        return idCounts(sub);
    }

    private static List<JsonNode> logged(Path dir, String kind) throws IOException {
        Path p = dir.resolve(EventLog.EVENTS_FILE);
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(p)) {
            JsonNode n = Events.JSON.readTree(line);
            if (kind.equals(n.path("kind").asText())) {
                out.add(n);
            }
        }
        return out;
    }

    /** A condition that reads files: false while they cannot be read. */
    private static java.util.function.BooleanSupplier quiet(java.util.concurrent.Callable<Boolean> c) {
        return () -> {
            try {
                return c.call();
            } catch (Exception e) {
                return false;
            }
        };
    }

    private static long deadLetters(Path dir) throws IOException {
        Path p = dir.resolve(EventLog.DEAD_LETTER_FILE);
        return Files.exists(p) ? Files.readAllLines(p).size() : 0;
    }

    private JsonNode faultCounts(LocalBroker b) throws Exception {
        return Events.JSON.readTree(http.send(HttpRequest.newBuilder(b.uri().resolve("/healthz")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body()).path("faults").path("counts");
    }

    private static void drained(LocalBroker b) {
        Polling.until(() -> b.dispatcher().pending() == 0, Duration.ofSeconds(30), () -> "deliveries not finished");
    }

    private static Map<String, Long> idCounts(TestSubscriber s) {
        return s.received.stream().collect(Collectors.groupingBy(r -> r.header("ce-id"), TreeMap::new,
                Collectors.counting()));
    }

    @Test
    void duplicateOneDeliversEveryEventTwiceAndBothRepliesAreReinjected() throws Exception {
        TestSubscriber sub = subscriber(FaultInjectionTest::reply);
        LocalBroker b = pingBroker(sub, 3, "seed=1,duplicate=1", data);
        Map<String, Long> counts = sendAndDrain(b, sub, "d-", 5, 10);
        assertEquals(5, counts.size());
        counts.values().forEach(c -> assertEquals(2L, c, counts.toString()));
        assertEquals(5, faultCounts(b).path("duplicate").asInt());
        assertEquals(5, logged(data, "fault").size());
        assertTrue(console.toString(StandardCharsets.UTF_8).contains("FAULT duplicate dev.cnai.test.ping d-0 -> sub"),
                console.toString(StandardCharsets.UTF_8));
        assertEquals(10, b.log().query(null, 0, 100).stream().filter(a -> a.origin().equals("reply:sub")).count(),
                "each copy's reply is re-injected");
        assertEquals(0, deadLetters(data));
    }

    @Test
    void injectedErrorsAreRetriedAndEveryEventIsDeliveredOnce() throws Exception {
        TestSubscriber sub = subscriber(n -> TestSubscriber.Answer.of(200));
        LocalBroker b = pingBroker(sub, 10, "seed=3,error=0.5", data);
        Map<String, Long> counts = sendAndDrain(b, sub, "e-", 20, 20);
        assertEquals(20, counts.size());
        counts.values().forEach(c -> assertEquals(1L, c, "an injected 503 never reaches the subscriber"));
        int errors = faultCounts(b).path("error").asInt();
        assertTrue(errors > 0, "some attempts were failed");
        List<JsonNode> retries = logged(data, "retry");
        assertEquals(errors, retries.size());
        assertTrue(retries.get(0).path("reason").asText().contains("FAULT error"), retries.get(0).toString());
        assertEquals(503, retries.get(0).path("status").asInt());
        assertEquals(20, logged(data, "delivered").size());
        assertEquals(0, deadLetters(data));
    }

    @Test
    void lostAnswersAreRetriedAndTheirRepliesNeverInjected() throws Exception {
        TestSubscriber sub = subscriber(FaultInjectionTest::reply);
        LocalBroker b = pingBroker(sub, 2, "seed=1,lost=1", data);
        send(b, "l-1");
        sub.await(3);
        Polling.until(() -> {
            try {
                return deadLetters(data) == 1;
            } catch (IOException e) {
                return false;
            }
        }, () -> "not dead-lettered after the retries");
        assertEquals(3, sub.received.size(), "the subscriber did the work on every attempt");
        assertEquals(3, faultCounts(b).path("lost").asInt());
        assertEquals(1, b.log().acceptedCount(), "no reply of a lost attempt is injected");
        assertEquals(0, logged(data, "reply").size());
        JsonNode dl = Events.JSON.readTree(Files.readAllLines(data.resolve(EventLog.DEAD_LETTER_FILE)).get(0));
        assertTrue(dl.path("reason").asText().contains("FAULT lost"), dl.toString());
        assertEquals(3, dl.path("attempts").asInt());
    }

    @Test
    void someLostAnswersStillEndInOneInjectedReplyPerEvent() throws Exception {
        TestSubscriber sub = subscriber(FaultInjectionTest::reply);
        LocalBroker b = pingBroker(sub, 10, "seed=5,lost=0.5,delay=0..30ms", data);
        sendPings(b, "m-", 10);
        Polling.until(quiet(() -> logged(data, "delivered").size() == 10), () -> "not all delivered");
        drained(b);
        int lost = faultCounts(b).path("lost").asInt();
        assertTrue(lost > 0);
        assertEquals(10 + lost, sub.received.size(), "every lost attempt was resent");
        assertEquals(10, logged(data, "reply").size(), "one reply per event: the one from the attempt not lost");
        assertTrue(faultCounts(b).path("delay").asInt() > 0);
        assertEquals(0, deadLetters(data));
    }

    /** Event id → the attempt numbers its deliveries succeeded on (two for a duplicated event), sorted. */
    private Map<String, List<Integer>> attemptsPerEvent(Path dir) throws IOException {
        Map<String, List<Integer>> out = new TreeMap<>();
        for (JsonNode d : logged(dir, "delivered")) {
            out.computeIfAbsent(d.path("id").asText(), k -> new ArrayList<>()).add(d.path("attempt").asInt());
        }
        out.values().forEach(java.util.Collections::sort);
        return out;
    }

    @Test
    void theSameSeedMakesTheSameDecisionsRunAfterRun() throws Exception {
        String spec = "seed=11,error=0.4,duplicate=0.3,delay=0..20ms";
        List<Map<String, List<Integer>>> runs = new ArrayList<>();
        List<Map<String, Long>> received = new ArrayList<>();
        for (String run : List.of("a", "b", "c")) {
            Path dir = data.resolve(run);
            String seedSpec = run.equals("c") ? spec.replace("seed=11", "seed=12") : spec;
            TestSubscriber sub = subscriber(n -> TestSubscriber.Answer.of(200));
            LocalBroker b = pingBroker(sub, 10, seedSpec, dir);
            sendPings(b, "s-", 15);
            Polling.until(quiet(() -> attemptsPerEvent(dir).size() == 15), () -> "not delivered");
            drained(b);
            int copies = 15 + faultCounts(b).path("duplicate").asInt();
            Polling.until(quiet(() -> logged(dir, "delivered").size() == copies), () -> "duplicates not delivered");
            runs.add(attemptsPerEvent(dir));
            received.add(idCounts(sub));
            b.close();
        }
        assertEquals(runs.get(0), runs.get(1), "attempts of each event's last delivery, same seed");
        assertEquals(received.get(0), received.get(1), "duplicates, same seed");
        assertNotEquals(List.of(runs.get(0), received.get(0)), List.of(runs.get(2), received.get(2)),
                "another seed, other decisions");
    }

    // ------------------------------------------------------------------ kills of managed processes

    private static final String TINY = trigger("tiny", "dev.cnai.test.ping", 3);

    private static List<String> tiny(int port, Path received, long workMs, String emitType) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx32m", "-cp", System.getProperty("java.class.path"),
                TinyFunction.class.getName(), Integer.toString(port), received.toString(), "0",
                Long.toString(workMs)));
        if (emitType != null) {
            cmd.add(emitType);
        }
        return cmd;
    }

    private LocalBroker managed(String yaml, List<String> command, int port, String faults) throws IOException {
        BrokerConfig cfg = BrokerConfig.builder().port(0).dataDir(data)
                .subscribers(Map.of("tiny", URI.create("http://127.0.0.1:" + port)))
                .shutdownGrace(Duration.ofSeconds(1))
                .scaleToZero(new ScaleToZero(Map.of("tiny", command), Duration.ofSeconds(60),
                        Duration.ofSeconds(30), ScaleToZero.DEFAULT_HEALTH, Duration.ofSeconds(5),
                        data.resolve("logs")))
                .faults(Faults.parse(faults)).build();
        LocalBroker b = LocalBroker.start(cfg, TriggerLoader.parse(yaml, null),
                new PrintStream(console, true, StandardCharsets.UTF_8));
        open.add(b);
        return b;
    }



    @Test
    void killSigkillsTheSubscriberMidDeliveryAndTheRetryColdStartsIt() throws Exception {
        int port = TinyFunction.freePort();
        Path received = data.resolve("received.txt");
        LocalBroker b = managed(TINY, tiny(port, received, 600, null), port,
                "kill=tiny:dev.cnai.test.ping:2:150ms");
        send(b, "k-1");
        Polling.until(quiet(() -> logged(data, "delivered").size() == 1), () -> "k-1 not delivered; " + consoleText());
        long pid1 = b.processes().pid("tiny").orElseThrow();
        send(b, "k-2"); // the second delivery: killed 150 ms into its 600 ms of work
        Polling.until(quiet(() -> logged(data, "delivered").size() == 2), Duration.ofSeconds(40),
                () -> "k-2 not delivered after the kill; " + consoleText());
        assertTrue(ProcessHandle.of(pid1).map(h -> !h.isAlive()).orElse(true), "pid " + pid1 + " was killed");
        assertEquals(2, b.processes().starts("tiny"), "the retry cold-started it again: " + consoleText());
        assertTrue(consoleText().contains("killed tiny (pid " + pid1 + ") with SIGKILL"), consoleText());
        assertTrue(consoleText().contains("exited with status 137"), "SIGKILL is exit status 128+9: " + consoleText());
        List<String> got = lines(received);
        assertEquals(List.of("k-1", "k-2", "k-2"), got.stream().map(l -> l.split(" ")[0]).toList());
        assertNotEquals(got.get(1).split(" ")[2], got.get(2).split(" ")[2], "a new process finished k-2");
        assertEquals(1, faultCounts(b).path("kill").asInt());
        assertEquals(2, logged(data, "delivered").get(1).path("attempt").asInt());
        assertEquals(0, deadLetters(data));
        send(b, "k-3");
        Polling.until(quiet(() -> logged(data, "delivered").size() == 3), () -> "k-3; " + consoleText());
        assertEquals(2, b.processes().starts("tiny"), "a kill fires once");
    }

    @Test
    void killOnEmitSigkillsTheSenderAndTheRedeliveryEmitsAgain() throws Exception {
        int port = TinyFunction.freePort();
        Path received = data.resolve("received.txt");
        LocalBroker b = managed(TINY, tiny(port, received, 0, "dev.cnai.test.pong"), port,
                "kill-on-emit=tiny:dev.cnai.test.pong:2");
        send(b, "x-1");
        Polling.until(quiet(() -> logged(data, "delivered").size() == 1), () -> "x-1 not delivered; " + consoleText());
        send(b, "x-2"); // tiny emits its 2nd pong: killed before the broker accepts it
        Polling.until(quiet(() -> logged(data, "delivered").size() == 2), Duration.ofSeconds(40),
                () -> "x-2 not delivered after the kill; " + consoleText());
        assertEquals(1, faultCounts(b).path("kill-on-emit").asInt());
        assertEquals(2, b.processes().starts("tiny"), consoleText());
        assertEquals(List.of("x-1", "x-2", "x-2"), lines(received).stream().map(l -> l.split(" ")[0]).toList());
        List<String> pongs = b.log().query(null, 0, 100).stream().map(a -> a.event().path("id").asText())
                .filter(id -> id.startsWith("emit-")).toList();
        assertEquals(List.of("emit-x-1", "emit-x-2"), pongs, "the killed emission was not accepted; the retry's was");
        assertTrue(consoleText().contains("FAULT kill-on-emit dev.cnai.test.pong emit-x-2 -> tiny"), consoleText());
        assertEquals(0, deadLetters(data));
    }
}
