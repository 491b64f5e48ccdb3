package dev.cnai.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cloudevents.core.builder.CloudEventBuilder;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Back-pressure instead of loss: with a slow subscriber and a small capacity the ingress answers 429 with
 * {@code Retry-After}, nothing is dead-lettered, every accepted event is delivered, and {@code GET /events} and
 * {@code /healthz} keep answering quickly while POSTs flood in.
 */
class BackPressureTest extends BrokerFixture {

    private static final String TRIGGER = trigger("slow", "dev.cnai.test.ping", 3);

    @TempDir
    Path data;



    private LocalBroker broker(String yaml, Map<String, URI> subs, int workers, int capacity) throws Exception {
        BrokerConfig cfg = BrokerConfig.builder().port(0).dataDir(data).subscribers(subs)
                .workers(workers).queueCapacity(capacity).shutdownGrace(Duration.ofSeconds(1)).build();
        LocalBroker b = LocalBroker.start(cfg, TriggerLoader.parse(yaml, null), null);
        open.add(b);
        return b;
    }

    private HttpResponse<String> post(LocalBroker b, String id) throws Exception {
        return http.send(HttpRequest.newBuilder(b.uri().resolve("/")).timeout(Duration.ofSeconds(10))
                .header("ce-specversion", "1.0").header("ce-id", id).header("ce-source", "/cnai/test")
                .header("ce-type", "dev.cnai.test.ping").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(LocalBroker b, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(b.uri().resolve(path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private long lines(String file, String kind) throws Exception {
        Path p = data.resolve(file);
        if (!Files.exists(p)) {
            return 0;
        }
        return Files.readAllLines(p).stream().filter(l -> kind == null || l.contains("\"kind\":\"" + kind + "\""))
                .count();
    }

    @Test
    void aFullQueueAnswers429AndLosesNothing() throws Exception {
        TestSubscriber slow = new TestSubscriber(n -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return TestSubscriber.Answer.of(200);
        });
        open.add(slow);
        LocalBroker b = broker(TRIGGER, Map.of("slow", slow.uri()), 2, 4);

        // A storm: 6 senders post as fast as they can for a while; a refused event is simply not counted.
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        AtomicInteger refused = new AtomicInteger();
        AtomicBoolean storm = new AtomicBoolean(true);
        List<String> badRefusals = new java.util.concurrent.CopyOnWriteArrayList<>();
        ExecutorService senders = Executors.newFixedThreadPool(6);
        AtomicInteger ids = new AtomicInteger();
        for (int s = 0; s < 6; s++) {
            senders.execute(() -> {
                while (storm.get()) {
                    String id = "p-" + ids.incrementAndGet();
                    try {
                        HttpResponse<String> r = post(b, id);
                        if (r.statusCode() == 202) {
                            accepted.add(id);
                        } else if (r.statusCode() == 429) {
                            refused.incrementAndGet();
                            String error = Events.JSON.readTree(r.body()).path("error").asText();
                            if (!"1".equals(r.headers().firstValue("Retry-After").orElse(""))
                                    || !error.contains("overloaded") || !error.contains("NOT accepted")) {
                                badRefusals.add(r.headers().map() + " " + r.body());
                            }
                        } else {
                            badRefusals.add(r.statusCode() + " " + r.body());
                        }
                    } catch (Exception e) {
                        badRefusals.add(e.toString());
                    }
                }
            });
        }
        // While overloaded, the queries answer quickly.
        long worst = 0;
        try {
            Polling.until(() -> refused.get() > 20, () -> "the ingress never refused anything");
            for (int i = 0; i < 20; i++) {
                long t0 = System.nanoTime();
                HttpResponse<String> ev = get(b, "/events?limit=50");
                assertEquals(200, ev.statusCode());
                assertTrue(ev.headers().firstValue("cnai-next-since").isPresent());
                HttpResponse<String> health = get(b, "/healthz");
                assertEquals(200, health.statusCode());
                worst = Math.max(worst, (System.nanoTime() - t0) / 1_000_000);
                Thread.sleep(20);
            }
        } finally {
            storm.set(false);
            senders.shutdown();
            assertTrue(senders.awaitTermination(20, TimeUnit.SECONDS));
        }
        assertTrue(worst < 1500, "GET /events + /healthz took " + worst + " ms while overloaded");
        assertTrue(badRefusals.isEmpty(), badRefusals.toString());
        assertTrue(refused.get() > 0);

        // Every accepted event is delivered, once; refused events were never logged; nothing is dead-lettered.
        Polling.until(() -> b.dispatcher().pending() == 0, Duration.ofSeconds(60), () -> "deliveries never drained");
        Set<String> delivered = ConcurrentHashMap.newKeySet();
        slow.received.forEach(r -> delivered.add(r.header("ce-id")));
        assertEquals(accepted, delivered);
        assertEquals(accepted.size(), slow.received.size(), "each accepted event delivered exactly once");
        assertEquals(accepted.size(), lines(EventLog.EVENTS_FILE, "accepted"));
        assertEquals(accepted.size(), b.log().acceptedCount());
        assertEquals(0, lines(EventLog.DEAD_LETTER_FILE, null), "nothing dead-lettered");

        JsonNode health = Events.JSON.readTree(get(b, "/healthz").body());
        assertEquals(refused.get(), health.path("refused").asInt());
        assertEquals(4, health.path("queueCapacity").asInt());
        assertEquals(0, health.path("pending").asInt());
        assertEquals(accepted.size(), health.path("accepted").asInt());
        assertEquals(health, Events.JSON.readTree(get(b, "/stats").body()));
    }

    @Test
    void retriesAndRepliesOfAdmittedEventsAreQueuedEvenAboveCapacity() throws Exception {
        // capacity 1: one event fans out into a reply that itself is delivered, and the first attempts fail;
        // none of that is refused or dead-lettered, only new ingress events are.
        TestSubscriber first = new TestSubscriber(n -> n <= 2 ? TestSubscriber.Answer.of(503)
                : new TestSubscriber.Answer(200, Map.of("ce-specversion", "1.0", "ce-id", "reply-" + n,
                        "ce-source", "/cnai/slow", "ce-type", "dev.cnai.test.pong",
                        "Content-Type", "application/json"), "{}"));
        TestSubscriber second = TestSubscriber.answering(200);
        open.add(first);
        open.add(second);
        LocalBroker b = broker(TRIGGER + "---\n" + trigger("pong", "dev.cnai.test.pong"),
                Map.of("slow", first.uri(), "pong", second.uri()), 1, 1);
        assertEquals(202, post(b, "one").statusCode());
        assertEquals("reply-3", second.await(1).get(0).header("ce-id"));
        assertEquals(3, first.received.size());
        Polling.until(() -> b.dispatcher().pending() == 0, () -> "not drained");
        assertEquals(0, lines(EventLog.DEAD_LETTER_FILE, null));
        assertEquals(202, post(b, "two").statusCode(), "admits again once drained");
    }

    @Test
    void eventsArePagedWithADefaultAndAMaximumLimit() throws Exception {
        LocalBroker b = broker("", Map.of(), 1, 10);
        for (int i = 0; i < 1200; i++) {
            b.accept(CloudEventBuilder.v1().withId("m-" + i).withSource(URI.create("/cnai/test"))
                    .withType("dev.cnai.test.none").withSubject(i % 2 == 0 ? "even" : "odd").build(),
                    LocalBroker.Scope.ALL, "ingress", 0);
        }
        HttpResponse<String> all = get(b, "/events");
        assertEquals(1000, Events.JSON.readTree(all.body()).size(), "default limit 1000");
        assertEquals("1000", all.headers().firstValue("cnai-next-since").orElseThrow());
        assertEquals("true", all.headers().firstValue("cnai-more").orElseThrow());
        HttpResponse<String> rest = get(b, "/events?since=1000");
        JsonNode restJson = Events.JSON.readTree(rest.body());
        assertEquals(200, restJson.size());
        assertEquals(1000, restJson.get(0).path("index").asInt());
        assertEquals("m-1000", restJson.get(0).path("event").path("id").asText());
        assertEquals("1200", rest.headers().firstValue("cnai-next-since").orElseThrow());
        assertEquals("false", rest.headers().firstValue("cnai-more").orElseThrow());
        assertEquals(1200, Events.JSON.readTree(get(b, "/events?limit=50000").body()).size(),
                "a limit above the maximum is reduced to it, not refused");

        // following cnai-next-since page by page with a subject filter sees each event once
        List<String> seen = new ArrayList<>();
        String since = "0";
        boolean more = true;
        while (more) {
            HttpResponse<String> page = get(b, "/events?subject=odd&limit=100&since=" + since);
            Events.JSON.readTree(page.body()).forEach(a -> seen.add(a.path("event").path("id").asText()));
            since = page.headers().firstValue("cnai-next-since").orElseThrow();
            more = Boolean.parseBoolean(page.headers().firstValue("cnai-more").orElseThrow());
        }
        assertEquals(600, seen.size());
        assertEquals(600, Set.copyOf(seen).size());
        assertEquals("1200", since);
        HttpResponse<String> none = get(b, "/events?since=1200");
        assertEquals("[]", none.body());
        assertEquals("1200", none.headers().firstValue("cnai-next-since").orElseThrow());
        assertFalse(Boolean.parseBoolean(none.headers().firstValue("cnai-more").orElseThrow()));
    }

    @Test
    void onlyTheNewestEventsAreKeptAndThePageSaysWhatWasDropped() throws Exception {
        BrokerConfig cfg = BrokerConfig.builder().port(0).dataDir(data).memoryEvents(5).build();
        LocalBroker b = LocalBroker.start(cfg, TriggerLoader.parse("", null), null);
        open.add(b);
        for (int i = 0; i < 12; i++) {
            b.accept(CloudEventBuilder.v1().withId("k-" + i).withSource(URI.create("/t")).withType("t").build(),
                    LocalBroker.Scope.ALL, "ingress", 0);
        }
        HttpResponse<String> page = get(b, "/events");
        JsonNode arr = Events.JSON.readTree(page.body());
        assertEquals(5, arr.size());
        assertEquals(7, arr.get(0).path("index").asInt());
        assertEquals("7", page.headers().firstValue("cnai-first-index").orElseThrow());
        assertEquals("12", page.headers().firstValue("cnai-next-since").orElseThrow());
    }

    @Test
    void refusalsAreLoggedAsASummaryNotALineEach() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        AtomicInteger pending = new AtomicInteger(7);
        try (EventLog log = new EventLog(data, new java.io.PrintStream(out, true), 10);
                Admission a = new Admission(5, pending::get, log, Duration.ofHours(1))) {
            try (Admission roomy = new Admission(8, pending::get, log, Duration.ofHours(1))) {
                assertTrue(roomy.admit());
            }
            for (int i = 0; i < 500; i++) {
                assertFalse(a.admit());
            }
            a.report();
            pending.set(0);
            assertTrue(a.admit());
            a.report();
            a.report();
            List<String> lines = out.toString().lines().toList();
            assertEquals(3, lines.size(), lines.toString());
            assertTrue(lines.get(0).contains("OVERLOAD 7 deliveries pending (capacity 5): refusing new events with 429"),
                    lines.get(0));
            assertTrue(lines.get(1).contains("OVERLOAD refused 500 events with 429"), lines.get(1));
            assertTrue(lines.get(2).contains("overload over"), lines.get(2));
            assertEquals(500, a.refused());
        }
    }
}
