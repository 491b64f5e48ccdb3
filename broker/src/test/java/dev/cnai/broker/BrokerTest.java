package dev.cnai.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End-to-end tests over real HTTP: test client → broker ingress → broker dispatcher → test subscribers. */
class BrokerTest extends BrokerFixture {

    @TempDir
    Path data;



    // ------------------------------------------------------------------ helpers

    private TestSubscriber subscriber(java.util.function.IntFunction<TestSubscriber.Answer> responder)
            throws IOException {
        TestSubscriber s = new TestSubscriber(responder);
        open.add(s);
        return s;
    }

    /** A broker over the fixture Triggers in src/test/resources/triggers. */
    private LocalBroker broker(Map<String, URI> subscribers, UnaryOperator<BrokerConfig.Builder> tweak)
            throws IOException {
        BrokerConfig.Builder cfg = BrokerConfig.builder().port(0).triggersDir(TriggerLoaderTest.fixtures())
                .dataDir(data).subscribers(subscribers).shutdownGrace(Duration.ofSeconds(1));
        LocalBroker b = LocalBroker.start(tweak.apply(cfg).build(), System.out);
        open.add(b);
        return b;
    }

    private LocalBroker broker(Map<String, URI> subscribers) throws IOException {
        return broker(subscribers, c -> c);
    }

    private LocalBroker brokerWithYaml(String yaml, Map<String, URI> subscribers) throws IOException {
        BrokerConfig cfg = BrokerConfig.builder().port(0).dataDir(data).subscribers(subscribers)
                .shutdownGrace(Duration.ofSeconds(1)).build();
        TriggerLoader.Result triggers = TriggerLoader.parse(yaml, null);
        assertTrue(triggers.warnings().isEmpty(), triggers.warnings().toString());
        LocalBroker b = LocalBroker.start(cfg, triggers, System.out);
        open.add(b);
        return b;
    }

    private static Map<String, String> ce(String id, String type, String subject) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("ce-specversion", "1.0");
        h.put("ce-id", id);
        h.put("ce-source", "/cnai/test");
        h.put("ce-type", type);
        if (subject != null) {
            h.put("ce-subject", subject);
        }
        h.put("Content-Type", "application/json");
        return h;
    }

    private HttpResponse<String> post(LocalBroker b, String path, Map<String, String> headers, String body)
            throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(b.uri().resolve(path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(r::header);
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(LocalBroker b, String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(b.uri().resolve(pathAndQuery)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private List<JsonNode> jsonl(String file) throws IOException {
        Path p = data.resolve(file);
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(p)) {
            return out;
        }
        for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(Events.JSON.readTree(line));
            }
        }
        return out;
    }

    private List<JsonNode> logged(String kind) throws IOException {
        return jsonl(EventLog.EVENTS_FILE).stream().filter(n -> kind.equals(n.path("kind").asText())).toList();
    }

    private List<JsonNode> awaitLogged(String kind, int n) {
        Polling.until(() -> {
            try {
                return logged(kind).size() >= n;
            } catch (IOException e) {
                return false;
            }
        }, () -> "expected " + n + " '" + kind + "' records in events.jsonl");
        try {
            return logged(kind);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<JsonNode> awaitDeadLetters(int n) {
        Polling.until(() -> {
            try {
                return jsonl(EventLog.DEAD_LETTER_FILE).size() >= n;
            } catch (IOException e) {
                return false;
            }
        }, () -> "expected " + n + " dead letters");
        try {
            return jsonl(EventLog.DEAD_LETTER_FILE);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A dead-lettered event: the subscriber that failed it, the dead-letter sink, the dead-letter record. */
    private record DeadLettered(TestSubscriber subscriber, TestSubscriber sink, JsonNode record) {
    }

    /**
     * Posts one {@code dev.cnai.shard.assigned} event to a broker whose {@code train-shard} always gives
     * {@code answer} and whose {@code dead-letters} sink accepts, and waits for its dead-letter record.
     */
    private DeadLettered deadLetterOfOneEvent(TestSubscriber.Answer answer, String id, String subject, String data)
            throws Exception {
        TestSubscriber train = subscriber(n -> answer);
        TestSubscriber dls = subscriber(n -> TestSubscriber.Answer.of(202));
        LocalBroker b = broker(Map.of("train-shard", train.uri(), "dead-letters", dls.uri()));
        assertEquals(202, post(b, "/", ce(id, "dev.cnai.shard.assigned", subject), data).statusCode());
        return new DeadLettered(train, dls, awaitDeadLetters(1).get(0));
    }

    /**
     * The subscriber got {@code attempts} deliveries ({@code why}), and the dead-letter record counts them and keeps
     * the last answer: {@code status} with {@code body}.
     */
    private static void assertDeadLetter(DeadLettered d, int attempts, String why, int status, String body) {
        assertEquals(attempts, d.subscriber().received.size(), why);
        assertEquals(attempts, d.record().path("attempts").asInt());
        assertEquals(status, d.record().path("status").asInt());
        assertEquals(body, d.record().path("responseBody").asText());
    }

    /** The event the dead-letter sink got: event {@code id}, with the Knative error attributes of its failure. */
    private static TestSubscriber.Received assertSunk(DeadLettered d, String id, String errorCode, String errorData) {
        TestSubscriber.Received sunk = d.sink().await(1).get(0);
        assertEquals(id, sunk.header("ce-id"));
        assertEquals(errorCode, sunk.header("ce-knativeerrorcode"));
        assertEquals(b64(errorData), sunk.header("ce-knativeerrordata"));
        assertEquals(d.subscriber().uri().toString(), sunk.header("ce-knativeerrordest"));
        return sunk;
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ ingress

    @Test
    void binaryModeEventIsDeliveredInBinaryModeWithAllAttributesAsHeaders() throws Exception {
        TestSubscriber train = subscriber(n -> TestSubscriber.Answer.of(202));
        LocalBroker b = broker(Map.of("train-shard", train.uri()));
        Map<String, String> h = ce("evt-1", "dev.cnai.shard.assigned", "run-1");
        h.put("ce-time", "2024-05-01T12:00:00Z");
        h.put("ce-cnaitier", "gold");
        String body = "{\"runId\":\"run-1\",\"round\":1,\"shard\":3}";

        HttpResponse<String> resp = post(b, "/cnai/cnai", h, body);
        assertEquals(202, resp.statusCode(), resp.body());

        TestSubscriber.Received r = train.await(1).get(0);
        assertEquals("1.0", r.header("ce-specversion"));
        assertEquals("evt-1", r.header("ce-id"));
        assertEquals("/cnai/test", r.header("ce-source"));
        assertEquals("dev.cnai.shard.assigned", r.header("ce-type"));
        assertEquals("run-1", r.header("ce-subject"));
        assertEquals("gold", r.header("ce-cnaitier"));
        assertEquals("2024-05-01T12:00:00Z", r.header("ce-time"));
        assertEquals("application/json", r.header("content-type"));
        assertEquals(body, r.bodyText());

        JsonNode delivered = awaitLogged("delivered", 1).get(0);
        assertEquals("train-shard", delivered.path("trigger").asText());
        assertEquals(202, delivered.path("status").asInt());
        assertEquals(1, delivered.path("attempt").asInt());
        assertEquals("run-1", delivered.path("subject").asText());
        JsonNode accepted = logged("accepted").get(0);
        assertEquals("evt-1", accepted.path("event").path("id").asText());
        assertEquals(3, accepted.path("event").path("data").path("shard").asInt());
    }

    @Test
    void theDistributedTracingExtensionIsKeptAndAlsoSentAsTheHopsW3cTraceHeaders() throws Exception {
        TestSubscriber train = subscriber(n -> TestSubscriber.Answer.of(202));
        LocalBroker b = broker(Map.of("train-shard", train.uri()));
        String tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        Map<String, String> h = ce("evt-t", "dev.cnai.shard.assigned", "run-t");
        h.put("ce-traceparent", tp);
        h.put("ce-tracestate", "rojo=1");
        assertEquals(202, post(b, "/", h, "{\"runId\":\"run-t\"}").statusCode());
        TestSubscriber.Received r = train.await(1).get(0);
        assertEquals(tp, r.header("ce-traceparent"));
        assertEquals("rojo=1", r.header("ce-tracestate"));
        assertEquals(tp, r.header("traceparent"));
        assertEquals("rojo=1", r.header("tracestate"));

        TestSubscriber plain = subscriber(n -> TestSubscriber.Answer.of(202));
        LocalBroker b2 = broker(Map.of("train-shard", plain.uri()));
        assertEquals(202, post(b2, "/", ce("evt-u", "dev.cnai.shard.assigned", "run-u"), "{}").statusCode());
        assertEquals(null, plain.await(1).get(0).header("traceparent"), "no context, no trace header");
    }

    @Test
    void structuredModeEventIsAcceptedAndDeliveredInBinaryMode() throws Exception {
        TestSubscriber train = subscriber(n -> TestSubscriber.Answer.of(200));
        LocalBroker b = broker(Map.of("train-shard", train.uri()));
        String event = """
                {"specversion":"1.0","id":"s-1","source":"/cnai/test","type":"dev.cnai.shard.assigned",
                 "subject":"run-s","datacontenttype":"application/json","data":{"round":2}}""";

        HttpResponse<String> resp = post(b, "/", Map.of("Content-Type", "application/cloudevents+json"), event);
        assertEquals(202, resp.statusCode(), resp.body());

        TestSubscriber.Received r = train.await(1).get(0);
        assertEquals("s-1", r.header("ce-id"));
        assertEquals("run-s", r.header("ce-subject"));
        assertEquals("application/json", r.header("content-type"));
        assertEquals(2, Events.JSON.readTree(r.body()).path("round").asInt());
    }

    @Test
    void malformedEventsAreRejectedWith400AndAnActionableMessage() throws Exception {
        LocalBroker b = broker(Map.of());

        Map<String, String> noId = ce("x", "dev.cnai.shard.assigned", null);
        noId.remove("ce-id");
        assertError(post(b, "/", noId, "{}"), 400, "id");

        Map<String, String> badData = ce("x", "dev.cnai.shard.assigned", null);
        assertError(post(b, "/", badData, "{\"round\": "), 400, "not valid JSON");

        assertError(post(b, "/", Map.of("Content-Type", "application/cloudevents+json"), "{\"specversion\":"),
                400, "invalid CloudEvent");
        assertError(post(b, "/", Map.of("Content-Type", "application/cloudevents+json"),
                "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\"}"), 400, "type");
        assertError(post(b, "/", Map.of("Content-Type", "application/json"), "{\"round\":1}"), 400,
                "not a CloudEvent");
        Map<String, String> badVersion = ce("x", "dev.cnai.shard.assigned", null);
        badVersion.put("ce-specversion", "9.9");
        assertError(post(b, "/", badVersion, "{}"), 400, "specversion");
        assertError(post(b, "/a/b/c", ce("x", "t", null), "{}"), 404, "/<namespace>/<broker>");

        assertEquals("[]", get(b, "/events").body(), "nothing was accepted");
    }

    private static void assertError(HttpResponse<String> resp, int status, String fragment) throws IOException {
        assertEquals(status, resp.statusCode(), resp.body());
        assertEquals("application/json", resp.headers().firstValue("Content-Type").orElse(""));
        String error = Events.JSON.readTree(resp.body()).path("error").asText();
        assertTrue(error.contains(fragment), "error '" + error + "' should mention '" + fragment + "'");
    }

    @Test
    void oversizeBodyIsRejectedWith413() throws Exception {
        TestSubscriber train = subscriber(n -> TestSubscriber.Answer.of(200));
        LocalBroker b = broker(Map.of("train-shard", train.uri()), c -> c.maxBody(1024));
        String big = "{\"blob\":\"" + "x".repeat(4096) + "\"}";
        assertError(post(b, "/", ce("big", "dev.cnai.shard.assigned", null), big), 413, "1024 bytes");
        String fits = "{\"blob\":\"" + "x".repeat(900) + "\"}";
        assertEquals(202, post(b, "/", ce("fits", "dev.cnai.shard.assigned", null), fits).statusCode());
        assertEquals("fits", train.await(1).get(0).header("ce-id"));
    }

    @Test
    void healthzAndTriggerListing() throws Exception {
        LocalBroker b = broker(Map.of("aggregate", URI.create("http://127.0.0.1:1")));
        assertEquals(200, get(b, "/healthz").statusCode());
        JsonNode triggers = Events.JSON.readTree(get(b, "/triggers").body());
        assertEquals(3, triggers.size());
        assertEquals("http://127.0.0.1:1/rounds", triggers.get(2).path("target").asText());
        assertTrue(b.warnings().stream().anyMatch(w -> w.contains("train-shard") && w.contains("not mapped")),
                b.warnings().toString());
    }

    // ------------------------------------------------------------------ filters and routing

    @Test
    void filtersMatchExtensionAttributesExactlyAndBrokerPathsScopeTriggers() throws Exception {
        TestSubscriber gold = subscriber(n -> TestSubscriber.Answer.of(200));
        TestSubscriber everything = subscriber(n -> TestSubscriber.Answer.of(200));
        TestSubscriber otherBroker = subscriber(n -> TestSubscriber.Answer.of(200));
        LocalBroker b = brokerWithYaml(String.join("---\n",
                trigger("cnai", "gold", "type: dev.cnai.test.ping, cnaitier: gold"),
                trigger("cnai", "everything", null),
                trigger("other", "other", null)),
                Map.of("gold", gold.uri(), "everything", everything.uri(), "other", otherBroker.uri()));

        Map<String, String> silver = ce("silver-1", "dev.cnai.test.ping", null);
        silver.put("ce-cnaitier", "silver");
        Map<String, String> golden = ce("gold-1", "dev.cnai.test.ping", null);
        golden.put("ce-cnaitier", "gold");
        assertEquals(202, post(b, "/ns/cnai", silver, "{}").statusCode());
        assertEquals(202, post(b, "/ns/cnai", golden, "{}").statusCode());

        everything.await(2);
        assertEquals("gold-1", gold.await(1).get(0).header("ce-id"));
        List<JsonNode> accepted = awaitLogged("accepted", 2);
        assertEquals("[\"everything\"]", accepted.get(0).path("triggers").toString());
        assertEquals("[\"gold\",\"everything\"]", accepted.get(1).path("triggers").toString());

        assertEquals(202, post(b, "/", ce("all-1", "dev.cnai.test.none", null), "{}").statusCode());
        assertEquals("all-1", otherBroker.await(1).get(0).header("ce-id"), "POST / reaches every broker");
        everything.await(3);
        assertEquals(1, gold.received.size());
    }

    @Test
    void aSubscriberWithReplicasGetsDeliveriesInTurnAndARetryGoesToTheNextReplica() throws Exception {
        TestSubscriber a = subscriber(n -> TestSubscriber.Answer.of(200));
        TestSubscriber c = subscriber(n -> TestSubscriber.Answer.of(200));
        LocalBroker b = broker(Map.of("train-shard", a.uri()),
                cfg -> cfg.replicas(Map.of("train-shard", List.of(c.uri()))));
        for (int i = 0; i < 6; i++) {
            assertEquals(202, post(b, "/", ce("rr-" + i, "dev.cnai.shard.assigned", "run-rr"), "{}").statusCode());
        }
        awaitLogged("delivered", 6);
        assertEquals(3, a.received.size(), "first URL: every other delivery");
        assertEquals(3, c.received.size(), "the replica: the others");

        // one replica down (503): the retry reaches the other, nothing is lost or delivered twice
        TestSubscriber down = subscriber(n -> TestSubscriber.Answer.of(503, "down"));
        TestSubscriber up = subscriber(n -> TestSubscriber.Answer.of(200));
        LocalBroker b2 = broker(Map.of("train-shard", down.uri()),
                cfg -> cfg.replicas(Map.of("train-shard", List.of(up.uri()))).dataDir(data.resolve("b2")));
        for (int i = 0; i < 4; i++) {
            assertEquals(202, post(b2, "/", ce("rd-" + i, "dev.cnai.shard.assigned", "run-rd"), "{}").statusCode());
        }
        up.await(4);
        Polling.until(() -> up.received.size() == 4, Duration.ofSeconds(10), () -> "up got " + up.received.size());
        assertEquals(4, up.received.stream().map(r -> r.header("ce-id")).distinct().count(), up.received.toString());
        assertEquals(2, down.received.size(), "its turns only: a retry never returns to the replica that failed");

        // with three, a retry goes to the one after the failed one, round the ring
        URI x = URI.create("http://127.0.0.1:1");
        URI y = URI.create("http://127.0.0.1:2");
        URI z = URI.create("http://127.0.0.1:3");
        SubscriberResolver ring = new SubscriberResolver(Map.of("s", x), Map.of("s", List.of(y, z)));
        Destination s = Destination.ofService("s");
        assertEquals(List.of(y, z, x), List.of(ring.after(s, x).orElseThrow(), ring.after(s, y).orElseThrow(),
                ring.after(s, z).orElseThrow()));
    }

    // ------------------------------------------------------------------ retries and dead letters

    @Test
    void retriesWithBackoffOn503ThenSucceeds() throws Exception {
        TestSubscriber train = subscriber(n -> n <= 2 ? TestSubscriber.Answer.of(503, "busy")
                : TestSubscriber.Answer.of(200));
        LocalBroker b = broker(Map.of("train-shard", train.uri()));
        assertEquals(202, post(b, "/", ce("r-1", "dev.cnai.shard.assigned", "run-r"), "{}").statusCode());

        JsonNode delivered = awaitLogged("delivered", 1).get(0);
        assertEquals(3, delivered.path("attempt").asInt());
        assertEquals(3, train.received.size());
        train.received.forEach(r -> assertEquals("r-1", r.header("ce-id")));
        List<JsonNode> retries = logged("retry");
        assertEquals(2, retries.size());
        assertEquals(503, retries.get(0).path("status").asInt());
        assertEquals(1, retries.get(0).path("attempt").asInt());
        assertTrue(retries.get(1).path("reason").asText().contains("retry 2/3"), retries.get(1).toString());
        assertTrue(jsonl(EventLog.DEAD_LETTER_FILE).isEmpty());
    }

    @Test
    void nonRetryable400GoesStraightToTheDeadLetterSink() throws Exception {
        DeadLettered d = deadLetterOfOneEvent(TestSubscriber.Answer.of(400, "shard 3 does not exist"), "bad-1", "run-b",
                "{\"shard\":3}");
        assertDeadLetter(d, 1, "a 400 is not retried", 400, "shard 3 does not exist");
        assertTrue(d.record().path("reason").asText().contains("400 (not retryable)"), d.record().toString());

        TestSubscriber.Received sunk = assertSunk(d, "bad-1", "400", "shard 3 does not exist");
        assertEquals("{\"shard\":3}", sunk.bodyText());
    }

    @Test
    void exhaustedRetriesDeadLetterToFileAndMappedSink() throws Exception {
        DeadLettered d = deadLetterOfOneEvent(TestSubscriber.Answer.of(503, "overloaded"), "ex-1", "run-x",
                "{\"round\":1}");
        assertDeadLetter(d, 4, "first attempt + 3 retries", 503, "overloaded");
        JsonNode dl = d.record();
        assertEquals("train-shard", dl.path("trigger").asText());
        assertTrue(dl.path("reason").asText().contains("503") && dl.path("reason").asText().contains("exhausted"),
                dl.toString());
        JsonNode ev = dl.path("event");
        assertEquals("ex-1", ev.path("id").asText());
        assertEquals("run-x", ev.path("subject").asText());
        assertEquals("503", ev.path("knativeerrorcode").asText());
        assertEquals(1, ev.path("data").path("round").asInt());

        assertSunk(d, "ex-1", "503", "overloaded");
        awaitLogged("dead-lettered", 1);
        assertEquals(3, logged("retry").size());
        assertEquals(1, logged("failed").size());
    }

    @Test
    void networkErrorsAreRetriedAndUnmappedSubscribersDeadLettered() throws Exception {
        // aggregate points at a closed port; train-shard is not mapped at all
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        LocalBroker b = broker(Map.of("aggregate", URI.create("http://127.0.0.1:" + closedPort)));
        assertEquals(202, post(b, "/", ce("u-1", "dev.cnai.shard.assigned", null), "{}").statusCode());
        assertEquals(202, post(b, "/", ce("n-1", "dev.cnai.shard.trained", null), "{}").statusCode());

        List<JsonNode> dls = awaitDeadLetters(2);
        JsonNode unmapped = dls.stream().filter(d -> d.path("event").path("id").asText().equals("u-1"))
                .findFirst().orElseThrow();
        assertTrue(unmapped.path("reason").asText().contains("'train-shard' is not mapped"), unmapped.toString());
        assertEquals(0, unmapped.path("attempts").asInt());
        JsonNode refused = dls.stream().filter(d -> d.path("event").path("id").asText().equals("n-1"))
                .findFirst().orElseThrow();
        assertEquals(3, refused.path("attempts").asInt(), refused.toString());
        assertTrue(refused.path("reason").asText().contains("2 retries exhausted"), refused.toString());
        assertFalse(refused.has("status"));
    }

    // ------------------------------------------------------------------ replies

    @Test
    void repliesAreReinjectedAndDeliveredToOtherTriggers() throws Exception {
        TestSubscriber train = subscriber(n -> new TestSubscriber.Answer(200, Map.of(
                "ce-specversion", "1.0", "ce-id", "reply-1", "ce-source", "/cnai/train-shard",
                "ce-type", "dev.cnai.shard.trained", "ce-subject", "run-r", "Content-Type", "application/json"),
                "{\"round\":1,\"shard\":0,\"trainLoss\":0.5}"));
        TestSubscriber aggregate = subscriber(n -> new TestSubscriber.Answer(200,
                Map.of("Content-Type", "application/cloudevents+json"),
                "{\"specversion\":\"1.0\",\"id\":\"reply-2\",\"source\":\"/cnai/aggregate\","
                        + "\"type\":\"dev.cnai.round.completed\",\"subject\":\"run-r\","
                        + "\"datacontenttype\":\"application/json\",\"data\":{\"round\":1,\"rounds\":3}}"));
        LocalBroker b = broker(Map.of("train-shard", train.uri(), "aggregate", aggregate.uri()));
        assertEquals(202, post(b, "/cnai/cnai", ce("start-1", "dev.cnai.shard.assigned", "run-r"), "{}")
                .statusCode());

        TestSubscriber.Received r = aggregate.await(1).get(0);
        assertEquals("/rounds", r.path());
        assertEquals("reply-1", r.header("ce-id"));
        assertEquals("dev.cnai.shard.trained", r.header("ce-type"));
        assertEquals(0.5, Events.JSON.readTree(r.body()).path("trainLoss").asDouble());

        awaitLogged("reply", 2);
        Polling.until(() -> b.log().query("run-r", 0, 100).size() == 3, () -> "3 events for run-r");
        List<EventLog.AcceptedEvent> run = b.log().query("run-r", 0, 100);
        assertEquals(List.of("ingress", "reply:train-shard", "reply:aggregate"),
                run.stream().map(EventLog.AcceptedEvent::origin).toList());
        assertEquals("dev.cnai.round.completed", run.get(2).event().path("type").asText());
    }

    @Test
    void invalidReplyDeadLettersTheOriginalEvent() throws Exception {
        TestSubscriber train = subscriber(n -> new TestSubscriber.Answer(200,
                Map.of("ce-specversion", "1.0", "ce-type", "x"), "{}"));
        LocalBroker b = broker(Map.of("train-shard", train.uri()));
        assertEquals(202, post(b, "/", ce("ir-1", "dev.cnai.shard.assigned", null), "{}").statusCode());
        JsonNode dl = awaitDeadLetters(1).get(0);
        assertTrue(dl.path("reason").asText().contains("invalid CloudEvent"), dl.toString());
        assertEquals("ir-1", dl.path("event").path("id").asText());
    }

    // ------------------------------------------------------------------ event query, duplicates, shutdown

    @Test
    void eventsEndpointFiltersBySubjectAndSince() throws Exception {
        LocalBroker b = broker(Map.of());
        assertEquals(202, post(b, "/", ce("q-0", "dev.cnai.test.none", "run-a"), "{\"round\":1}").statusCode());
        assertEquals(202, post(b, "/", ce("q-1", "dev.cnai.test.none", "run-b"), "{}").statusCode());
        assertEquals(202, post(b, "/", ce("q-2", "dev.cnai.test.none", "run-a"), "{\"round\":2}").statusCode());

        JsonNode a = Events.JSON.readTree(get(b, "/events?subject=run-a").body());
        assertEquals(2, a.size());
        assertEquals(0, a.get(0).path("index").asInt());
        assertEquals("q-0", a.get(0).path("event").path("id").asText());
        assertEquals(1, a.get(0).path("event").path("data").path("round").asInt());
        assertEquals(2, a.get(1).path("index").asInt());
        assertEquals("q-2", a.get(1).path("event").path("id").asText());

        JsonNode since = Events.JSON.readTree(get(b, "/events?subject=run-a&since=1").body());
        assertEquals(1, since.size());
        assertEquals("q-2", since.get(0).path("event").path("id").asText());
        assertEquals(3, Events.JSON.readTree(get(b, "/events").body()).size());
        assertEquals(400, get(b, "/events?since=x").statusCode());
    }

    @Test
    void duplicatesAreStillDeliveredButFlagged() throws Exception {
        TestSubscriber train = subscriber(n -> TestSubscriber.Answer.of(200));
        LocalBroker b = broker(Map.of("train-shard", train.uri()));
        assertEquals(202, post(b, "/", ce("dup-1", "dev.cnai.shard.assigned", null), "{}").statusCode());
        assertEquals(202, post(b, "/", ce("dup-1", "dev.cnai.shard.assigned", null), "{}").statusCode());
        train.await(2);
        List<JsonNode> accepted = awaitLogged("accepted", 2);
        assertFalse(accepted.get(0).path("duplicate").asBoolean());
        assertTrue(accepted.get(1).path("duplicate").asBoolean());
        assertTrue(Events.JSON.readTree(get(b, "/events").body()).get(1).path("duplicate").asBoolean());
    }

    @Test
    void shutdownDeadLettersDeliveriesThatDidNotFinish() throws Exception {
        TestSubscriber slow = subscriber(n -> {
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return TestSubscriber.Answer.of(200);
        });
        LocalBroker b = broker(Map.of("train-shard", slow.uri()), c -> c.shutdownGrace(Duration.ofMillis(200)));
        assertEquals(202, post(b, "/", ce("slow-1", "dev.cnai.shard.assigned", null), "{}").statusCode());
        slow.await(1);
        b.close();
        List<JsonNode> dls = jsonl(EventLog.DEAD_LETTER_FILE);
        assertEquals(1, dls.size());
        assertTrue(dls.get(0).path("reason").asText().contains("shut down"), dls.get(0).toString());
        assertNotNull(dls.get(0).path("event").path("id").asText());
        HttpClient quick = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> quick.send(
                HttpRequest.newBuilder(b.uri().resolve("/healthz")).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString()), "ingress is closed");
    }
}
