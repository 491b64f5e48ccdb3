package dev.cnai.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.events.EventTypes;
import dev.cnai.events.OutgoingEvent;
import dev.cnai.events.PipelineFailed;
import dev.cnai.events.TraceContext;
import dev.cnai.storage.ObjectStores;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TracingTest {
    static final String TP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    /** The real SDK; finished spans land in this list. */
    final List<SpanData> finished = new ArrayList<>();
    OpenTelemetrySdk sdk;
    Tracing tracing;

    @BeforeEach
    void sdk() {
        SpanExporter collect = new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                finished.addAll(spans);
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
        sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(collect)).build()).build();
        tracing = new Tracing(sdk);
    }

    @AfterEach
    void close() {
        sdk.close();
    }

    @Test
    void traceparentFollowsW3c() {
        TraceContext t = new TraceContext(TP, " rojo=00f067aa0ba902b7 ");
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", t.traceId());
        assertEquals("00f067aa0ba902b7", t.spanId());
        assertTrue(t.sampled());
        assertEquals("rojo=00f067aa0ba902b7", t.tracestate());
        assertEquals(Map.of("traceparent", TP, "tracestate", "rojo=00f067aa0ba902b7"), t.attributes());
        for (String bad : List.of("", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                TP + "-extra")) {
            assertTrue(TraceContext.of(bad, null).isEmpty(), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> new TraceContext("nope", null));
        assertTrue(TraceContext.of("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-future", null).isPresent());
        assertEquals(Optional.of(new TraceContext(TP, null)), TraceContext.of(Map.of("traceparent", TP)));
    }

    @Test
    void consumerSpanContinuesTheEventsTraceAndStampsItsOwnContext() {
        OutgoingEvent e = failed("run-1");
        OutgoingEvent stamped;
        try (StepSpan span = tracing.consume("evaluate", EventTypes.SHARD_TRAINED, "run-1/r/1", "run-1",
                new TraceContext(TP, "rojo=1")).round(2).shard(3)) {
            stamped = span.stamp(e);
        }
        SpanData s = finished.get(0);
        assertEquals("evaluate shard.trained", s.getName());
        assertEquals(SpanKind.CONSUMER, s.getKind());
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", s.getTraceId());
        assertEquals("00f067aa0ba902b7", s.getParentSpanId());
        assertEquals(2L, s.getAttributes().get(StepSpan.ROUND));
        assertEquals(3L, s.getAttributes().get(StepSpan.SHARD));
        assertEquals("run-1", s.getAttributes().get(StepSpan.RUN_ID));
        assertEquals(EventTypes.SHARD_TRAINED, s.getAttributes().get(StepSpan.EVENT_TYPE));
        // the emitted event names this span, keeps the id, and carries the tracestate on
        assertEquals(e.id(), stamped.id());
        assertEquals(s.getTraceId(), stamped.trace().traceId());
        assertEquals(s.getSpanId(), stamped.trace().spanId());
        assertEquals("rojo=1", stamped.trace().tracestate());
        assertNull(e.trace());
    }

    @Test
    void withoutAParentTheSpanStartsATraceAndSenderStampsEveryEvent() {
        List<OutgoingEvent> sent = new ArrayList<>();
        try (StepSpan span = tracing.consume("preprocess", EventTypes.RUN_REQUESTED, "x", "run-2", null)) {
            span.sender(sent::addAll).send(List.of(failed("run-2"), failed("run-2")));
        }
        SpanData s = finished.get(0);
        assertFalse(s.getParentSpanContext().isValid());
        assertEquals(2, sent.size());
        sent.forEach(ev -> assertEquals(s.getSpanId(), ev.trace().spanId()));
    }

    @Test
    void linksAndErrorsAreRecorded() {
        TraceContext a = new TraceContext("00-4bf92f3577b34da6a3ce929d0e0e4736-1111111111111111-01", null);
        TraceContext b = new TraceContext("00-4bf92f3577b34da6a3ce929d0e0e4736-2222222222222222-01", null);
        try (StepSpan span = tracing.consume("evaluate", EventTypes.SHARD_TRAINED, "x", "run-3", a)) {
            span.link(a).link(b);
            IllegalStateException thrown = span.error(new IllegalStateException("disk full"));
            assertEquals("disk full", thrown.getMessage());
        }
        SpanData s = finished.get(0);
        assertEquals(List.of("1111111111111111", "2222222222222222"),
                s.getLinks().stream().map(LinkData::getSpanContext).map(c -> c.getSpanId()).toList());
        assertEquals("1111111111111111,2222222222222222", s.getAttributes().get(StepSpan.LINKED_SPANS));
        assertEquals(StatusCode.ERROR, s.getStatus().getStatusCode());
        assertEquals("exception", s.getEvents().get(0).getName());
    }

    @Test
    void withTheSdkOffTheConsumedContextIsPassedOnUnchanged() {
        TraceContext in = new TraceContext(TP, null);
        try (StepSpan span = Tracing.noop().consume("evaluate", EventTypes.SHARD_TRAINED, "x", "run-4", in)) {
            assertEquals(in, span.stamp(failed("run-4")).trace());
        }
        try (StepSpan span = Tracing.noop().consume("evaluate", EventTypes.SHARD_TRAINED, "x", "run-4", null)) {
            assertNull(span.stamp(failed("run-4")).trace());
        }
    }

    @Test
    void fanInKeepsTheFirstContextOfEachShard(@TempDir Path dir) {
        FanInTraces traces = new FanInTraces(ObjectStores.open(dir.toString()));
        TraceContext a = new TraceContext("00-4bf92f3577b34da6a3ce929d0e0e4736-1111111111111111-01", "k=v");
        TraceContext b = new TraceContext("00-4bf92f3577b34da6a3ce929d0e0e4736-2222222222222222-01", null);
        traces.record("run-5", 1, 0, a);
        traces.record("run-5", 1, 0, b); // a redelivery: the first one stays
        traces.record("run-5", 1, 2, b);
        traces.record("run-5", 1, 1, null);
        assertEquals(List.of(a, b), traces.contexts("run-5", 1, 3));
        assertNotEquals(a, b);
    }

    private static OutgoingEvent failed(String run) {
        return OutgoingEvent.of(EventTypes.PIPELINE_FAILED, new PipelineFailed(run, "preprocess", "INTERNAL", "x", null, null));
    }
}
