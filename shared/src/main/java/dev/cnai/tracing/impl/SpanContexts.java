package dev.cnai.tracing.impl;

import dev.cnai.events.TraceContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Between the wire form ({@link TraceContext}: the CloudEvents extension attributes) and OpenTelemetry's
 * {@link SpanContext}, through OpenTelemetry's own W3C Trace Context propagator, so both formats (traceparent and
 * tracestate, with its list rules) are read and written by the reference implementation.
 */
public final class SpanContexts {
    private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private SpanContexts() {
    }

    /** The remote span context an event's trace context names (invalid when OpenTelemetry refuses it). */
    public static SpanContext remote(TraceContext t) {
        Context c = W3CTraceContextPropagator.getInstance().extract(Context.root(), t.attributes(), GETTER);
        return Span.fromContext(c).getSpanContext();
    }

    /** The wire form of a span context, or empty when it is not valid (no span, or a no-op SDK's span). */
    public static Optional<TraceContext> wire(SpanContext sc) {
        if (sc == null || !sc.isValid()) {
            return Optional.empty();
        }
        Map<String, String> out = new HashMap<>();
        W3CTraceContextPropagator.getInstance().inject(Context.root().with(Span.wrap(sc)), out, Map::put);
        return TraceContext.of(out);
    }
}
