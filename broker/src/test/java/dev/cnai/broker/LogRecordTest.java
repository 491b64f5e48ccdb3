package dev.cnai.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The JSON and console forms of a {@link LogRecord}, pinned: RunWatcher, ChaosIT and PipelineIT read them. */
class LogRecordTest {

    private static final Instant T = Instant.parse("2026-01-02T03:04:05.678Z");
    private static final CloudEvent E = CloudEventBuilder.v1().withId("i-1").withSource(URI.create("/s"))
            .withType("dev.cnai.t").withSubject("run-1").build();

    private static LogRecord at(LogRecord r) {
        return new LogRecord(T, r.kind(), r.event(), r.trigger(), r.status(), r.attempt(), r.millis(), r.target(),
                r.reason(), r.responseBody(), r.deadLetterSink());
    }

    private static String clock() {
        return LogRecord.clock(T);
    }

    @Test
    void deliveryOutcomes() {
        LogRecord delivered = at(LogRecord.of(EventLog.Kind.DELIVERED, E, "tr").status(202).attempt(1).millis(3L)
                .target("http://x").build());
        assertEquals("{\"time\":\"2026-01-02T03:04:05.678Z\",\"kind\":\"delivered\",\"type\":\"dev.cnai.t\","
                + "\"id\":\"i-1\",\"source\":\"/s\",\"subject\":\"run-1\",\"trigger\":\"tr\",\"status\":202,"
                + "\"attempt\":1,\"millis\":3,\"target\":\"http://x\"}", delivered.toJson().toString());
        assertEquals(clock() + " → tr  dev.cnai.t  run-1  202 3ms", delivered.toConsole());

        LogRecord retry = at(LogRecord.of(EventLog.Kind.RETRY, E, "tr").attempt(2).millis(5L).target("http://x")
                .reason("no response; retry 2/3 in 10ms").build());
        assertEquals("{\"time\":\"2026-01-02T03:04:05.678Z\",\"kind\":\"retry\",\"type\":\"dev.cnai.t\","
                + "\"id\":\"i-1\",\"source\":\"/s\",\"subject\":\"run-1\",\"trigger\":\"tr\",\"attempt\":2,"
                + "\"millis\":5,\"target\":\"http://x\",\"reason\":\"no response; retry 2/3 in 10ms\"}",
                retry.toJson().toString());
        assertEquals(clock() + " ↻ tr  dev.cnai.t  run-1  5ms (attempt 2)  no response; retry 2/3 in 10ms",
                retry.toConsole());

        LogRecord reply = at(LogRecord.of(EventLog.Kind.REPLY, E, "tr").status(200).target("http://x")
                .reason("reply to a b").build());
        assertEquals("{\"time\":\"2026-01-02T03:04:05.678Z\",\"kind\":\"reply\",\"type\":\"dev.cnai.t\","
                + "\"id\":\"i-1\",\"source\":\"/s\",\"subject\":\"run-1\",\"trigger\":\"tr\",\"status\":200,"
                + "\"target\":\"http://x\",\"reason\":\"reply to a b\"}", reply.toJson().toString());
        assertEquals(clock() + " ↩ tr  dev.cnai.t  run-1  200  reply to a b", reply.toConsole());
    }

    @Test
    void deadLetters() {
        LogRecord full = at(LogRecord.deadLettered(E, "tr", "subscriber answered 400 (not retryable)", "http://x")
                .status(400).attempt(1).responseBody("bad").deadLetterSink("http://dls").build());
        assertEquals("{\"time\":\"2026-01-02T03:04:05.678Z\",\"kind\":\"dead-lettered\",\"type\":\"dev.cnai.t\","
                + "\"id\":\"i-1\",\"source\":\"/s\",\"subject\":\"run-1\",\"trigger\":\"tr\",\"status\":400,"
                + "\"attempt\":1,\"reason\":\"subscriber answered 400 (not retryable)\",\"target\":\"http://x\","
                + "\"deadLetterSink\":\"http://dls\"}", full.toJson().toString());
        String dl = full.toDeadLetterJson().toString();
        assertTrue(dl.startsWith("{\"time\":\"2026-01-02T03:04:05.678Z\",\"trigger\":\"tr\","
                + "\"reason\":\"subscriber answered 400 (not retryable)\",\"status\":400,\"responseBody\":\"bad\","
                + "\"attempts\":1,\"target\":\"http://x\",\"deadLetterSink\":\"http://dls\",\"event\":{"), dl);
        assertEquals(clock() + " ☠ tr  dev.cnai.t  run-1  400  subscriber answered 400 (not retryable)  → "
                + "dead-letter.jsonl + http://dls", full.toConsole());

        LogRecord bare = at(LogRecord.deadLettered(E, "tr", "gone", "(broker ingress)").build());
        assertEquals("{\"time\":\"2026-01-02T03:04:05.678Z\",\"kind\":\"dead-lettered\",\"type\":\"dev.cnai.t\","
                + "\"id\":\"i-1\",\"source\":\"/s\",\"subject\":\"run-1\",\"trigger\":\"tr\",\"attempt\":0,"
                + "\"reason\":\"gone\",\"target\":\"(broker ingress)\"}", bare.toJson().toString());
        assertTrue(bare.toDeadLetterJson().toString().startsWith("{\"time\":\"2026-01-02T03:04:05.678Z\","
                + "\"trigger\":\"tr\",\"reason\":\"gone\",\"responseBody\":\"\",\"attempts\":0,"
                + "\"target\":\"(broker ingress)\",\"event\":{"), bare.toDeadLetterJson().toString());
        assertEquals(clock() + " ☠ tr  dev.cnai.t  run-1  gone  → dead-letter.jsonl", bare.toConsole());
        assertTrue(!bare.toDeadLetterJson().has("traceId"), "no traceparent, no trace id");

        CloudEvent traced = CloudEventBuilder.v1(E)
                .withExtension("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").build();
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736",
                at(LogRecord.deadLettered(traced, "tr", "gone", "x").build()).toDeadLetterJson().path("traceId").asText());
        CloudEvent invalid = CloudEventBuilder.v1(E).withExtension("traceparent", "00-" + "0".repeat(32)
                + "-00f067aa0ba902b7-01").build();
        assertTrue(!at(LogRecord.deadLettered(invalid, "tr", "gone", "x").build()).toDeadLetterJson().has("traceId"));
    }
}
