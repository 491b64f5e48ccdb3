package dev.cnai.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker's {@code GET /metrics} over real HTTP: after real deliveries, retries, dead letters and 429s the
 * Prometheus text carries the counts that {@code events.jsonl} and {@code dead-letter.jsonl} record, and
 * {@code promtool check metrics} (Debian's prometheus package) finds nothing to lint in it.
 */
class BrokerMetricsTest extends BrokerFixture {

    @TempDir
    Path data;

    private LocalBroker broker(TestSubscriber to, int retry, int queueCapacity) throws IOException {
        BrokerConfig cfg = BrokerConfig.builder().port(0).dataDir(data).subscribers(Map.of("sub", to.uri()))
                .queueCapacity(queueCapacity).shutdownGrace(Duration.ofSeconds(1)).build();
        String yaml = trigger("sub", "dev.cnai.test.ping")
                + "  delivery: {retry: %d, backoffPolicy: linear, backoffDelay: PT0.01S}\n".formatted(retry);
        LocalBroker b = LocalBroker.start(cfg, TriggerLoader.parse(yaml, null),
                new PrintStream(console, true, StandardCharsets.UTF_8));
        open.add(b);
        return b;
    }

    private TestSubscriber subscriber(IntFunction<TestSubscriber.Answer> answer) throws IOException {
        TestSubscriber s = new TestSubscriber(answer);
        open.add(s);
        return s;
    }

    private int send(LocalBroker b, String id) throws Exception {
        return http.send(HttpRequest.newBuilder(b.uri().resolve("/")).header("ce-specversion", "1.0")
                .header("ce-id", id).header("ce-source", "/test").header("ce-type", "dev.cnai.test.ping")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String deliveries(String outcome) {
        return "cnai_broker_deliveries_total{outcome=\"" + outcome + "\",trigger=\"sub\"}";
    }

    @Test
    void aRealDeliveryIsCountedAndTimed() throws Exception {
        TestSubscriber sub = subscriber(n -> TestSubscriber.Answer.of(202));
        LocalBroker b = broker(sub, 0, 100);
        Scrape before = Scrape.of(http, b);
        assertEquals(0, before.value(deliveries("delivered")), before.text());
        assertEquals(202, send(b, "e1"));
        assertEquals(202, send(b, "e2"));
        sub.await(2);
        Polling.until(() -> b.dispatcher().pending() == 0, () -> "deliveries still pending");
        Scrape after = Scrape.of(http, b);
        assertEquals(2, after.value(deliveries("delivered")), after.text());
        assertEquals(2, after.value("cnai_broker_events_accepted_total{type=\"dev.cnai.test.ping\"}"), after.text());
        assertEquals(2, after.value("cnai_broker_delivery_duration_seconds_count{trigger=\"sub\"}"), after.text());
        assertEquals(0, after.value("cnai_broker_queue_depth"), after.text());
        assertEquals(100, after.value("cnai_broker_queue_capacity"), after.text());
        assertTrue(after.text().contains("# HELP cnai_broker_deliveries_total Delivery attempts"), after.text());
    }

    @Test
    void retriesRejectionsAndDeadLettersAreCounted() throws Exception {
        // e1 → 500, 500 (1 retry, then dead-lettered); e2 → 400 (not retryable: rejected, dead-lettered)
        TestSubscriber sub = subscriber(n -> TestSubscriber.Answer.of(n <= 2 ? 500 : 400));
        LocalBroker b = broker(sub, 1, 100);
        assertEquals(202, send(b, "e1"));
        sub.await(2);
        Polling.until(() -> b.dispatcher().pending() == 0, () -> "e1 still pending");
        assertEquals(202, send(b, "e2"));
        sub.await(3);
        Polling.until(() -> b.dispatcher().pending() == 0, () -> "e2 still pending");
        Scrape s = Scrape.of(http, b);
        assertEquals(1, s.value(deliveries("retried")), s.text());
        assertEquals(1, s.value(deliveries("dead-lettered")), s.text());
        assertEquals(1, s.value(deliveries("rejected")), s.text());
        assertEquals(0, s.value(deliveries("delivered")), s.text());
        long deadLetterLines = lines(data.resolve(EventLog.DEAD_LETTER_FILE)).size();
        assertEquals(2, deadLetterLines);
        assertEquals(deadLetterLines, s.value("cnai_broker_dead_letters_total{trigger=\"sub\"}"), s.text());
        assertEquals(3, s.value("cnai_broker_delivery_duration_seconds_count{trigger=\"sub\"}"), s.text());
    }

    @Test
    void refusalsWith429AndTheQueueDepthAreExported() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        TestSubscriber sub = subscriber(n -> {
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return TestSubscriber.Answer.of(202);
        });
        LocalBroker b = broker(sub, 0, 1);
        try {
            assertEquals(202, send(b, "held"));
            sub.await(1);
            assertEquals(429, send(b, "refused-1"));
            assertEquals(429, send(b, "refused-2"));
            System.gc(); // the gauges must survive a collection (Micrometer holds gauge state weakly by default)
            Scrape busy = Scrape.of(http, b);
            assertEquals(1, busy.value("cnai_broker_queue_depth"), busy.text());
            assertEquals(1, busy.value("cnai_broker_in_flight"), busy.text());
            assertEquals(2, busy.value("cnai_broker_admission_rejected_total{reason=\"overloaded\"}"), busy.text());
            assertEquals(b.admission().refused(), 2);
        } finally {
            release.countDown();
        }
        Polling.until(() -> b.dispatcher().pending() == 0, () -> "held delivery still pending");
        assertEquals(0, Scrape.of(http, b).value("cnai_broker_queue_depth"));
    }

    @Test
    void zeroValuedCountersAreExportedBeforeTheirFirstIncrement() throws Exception {
        LocalBroker b = broker(subscriber(n -> TestSubscriber.Answer.of(202)), 0, 100);
        Scrape s = Scrape.of(http, b);
        // Scrape.value reads 0 for an absent series too: these must be present, at 0
        for (String series : new String[] {"cnai_broker_dead_letters_total{trigger=\"sub\"}",
                "cnai_broker_admission_rejected_total{reason=\"overloaded\"}",
                "cnai_broker_admission_rejected_total{reason=\"ingress-busy\"}", "cnai_broker_runs_in_flight"}) {
            assertEquals(0.0, s.samples().get(series), series + " in\n" + s.text());
        }
    }

    @Test
    void aRunIsInFlightFromItsFirstEventUntilItIsRegistered() throws Exception {
        LocalBroker b = broker(subscriber(n -> TestSubscriber.Answer.of(202)), 0, 100);
        assertEquals(202, send(b, "p1", "dev.cnai.dataset.prepared", "run-a"));
        assertEquals(202, send(b, "p2", "dev.cnai.dataset.prepared", "run-b"));
        assertEquals(202, send(b, "a1", "dev.cnai.shard.assigned", "run-a"));
        assertEquals(202, send(b, "i1", "dev.cnai.inference.requested", "run-c")); // not a pipeline run's event
        assertEquals(2, Scrape.of(http, b).value("cnai_broker_runs_in_flight"));
        assertEquals(202, send(b, "r1", "dev.cnai.model.registered", "run-a"));
        assertEquals(202, send(b, "f1", "dev.cnai.pipeline.failed", "run-b"));
        assertEquals(0, Scrape.of(http, b).value("cnai_broker_runs_in_flight"));
        // a redelivered event of an ended run does not start it again
        assertEquals(202, send(b, "a1", "dev.cnai.shard.assigned", "run-a"));
        Scrape s = Scrape.of(http, b);
        assertEquals(0, s.value("cnai_broker_runs_in_flight"), s.text());
        assertTrue(s.text().contains("# HELP cnai_broker_runs_in_flight Pipeline runs"), s.text());
    }

    private int send(LocalBroker b, String id, String type, String subject) throws Exception {
        return http.send(HttpRequest.newBuilder(b.uri().resolve("/")).header("ce-specversion", "1.0")
                .header("ce-id", id).header("ce-source", "/test").header("ce-type", type).header("ce-subject", subject)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void promtoolFindsNothingToLint() throws Exception {
        Promtool.assumeInstalled();
        TestSubscriber sub = subscriber(n -> TestSubscriber.Answer.of(n == 1 ? 500 : 202));
        LocalBroker b = broker(sub, 1, 100);
        assertEquals(202, send(b, "e1"));
        sub.await(2);
        Polling.until(() -> b.dispatcher().pending() == 0, () -> "e1 still pending");
        Promtool.Result r = Promtool.checkMetrics(Scrape.of(http, b).text());
        assertEquals(0, r.exitCode(), r.output());
        assertEquals("", r.output().strip(), "promtool check metrics reported problems");
    }

    @Test
    void withoutAPrometheusRegistryMetricsIs404() throws Exception {
        BrokerConfig cfg = BrokerConfig.builder().port(0).dataDir(data).subscribers(Map.of())
                .shutdownGrace(Duration.ofSeconds(1)).build();
        LocalBroker b = LocalBroker.start(cfg, TriggerLoader.parse(trigger("sub", "x"), null), null,
                BrokerMetrics.none());
        open.add(b);
        assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(b.uri() + BrokerMetrics.PATH)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        assertTrue(Files.isDirectory(data));
    }
}
