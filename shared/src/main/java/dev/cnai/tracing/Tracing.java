package dev.cnai.tracing;

import dev.cnai.events.TraceContext;
import dev.cnai.tracing.impl.SpanContexts;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

/**
 * Starts the spans of the pipeline. A function's span for a consumed event continues the trace named by that event's
 * Distributed Tracing extension ({@link TraceContext}), and every event the step emits carries the span's own
 * context ({@link StepSpan#sender}, {@link StepSpan#stamp}), so one run — request, preprocess, N × train-shard per
 * round, evaluate's fan-in, register — is one trace. When the OpenTelemetry SDK is off (no exporter configured) the
 * spans are no-ops and the consumed context is passed on unchanged, so a function without tracing does not break the
 * trace of the others.
 */
public final class Tracing {
    /** The instrumentation scope name of every span started here. */
    public static final String SCOPE = "dev.cnai.pipeline";

    private final Tracer tracer;

    public Tracing(OpenTelemetry openTelemetry) {
        this.tracer = openTelemetry.getTracer(SCOPE);
    }

    /** Tracing that records nothing and passes contexts on (for in-process drivers and tests). */
    public static Tracing noop() {
        return new Tracing(OpenTelemetry.noop());
    }

    /**
     * The span of one function handling one consumed event ({@code <function> <type>}, kind CONSUMER), child of the
     * event's trace context. When a server span of another trace is current (an HTTP request whose transport carried
     * no context, or another one), it is linked rather than adopted.
     *
     * @param parent the consumed event's trace context, or null when it had none (the span then starts the trace)
     */
    public StepSpan consume(String function, String eventType, String eventId, String runId, TraceContext parent) {
        SpanBuilder b = tracer.spanBuilder(function + " " + shortType(eventType)).setSpanKind(SpanKind.CONSUMER)
                .setAttribute(StepSpan.EVENT_TYPE, eventType);
        if (eventId != null) {
            b.setAttribute(StepSpan.EVENT_ID, eventId);
        }
        if (runId != null) {
            b.setAttribute(StepSpan.RUN_ID, runId);
        }
        SpanContext current = Span.current().getSpanContext();
        SpanContext remote = parent == null ? SpanContext.getInvalid() : SpanContexts.remote(parent);
        if (!remote.isValid() || current.isValid() && current.getTraceId().equals(remote.getTraceId())) {
            b.setParent(Context.current());
        } else {
            b.setParent(Context.root().with(Span.wrap(remote)));
            if (current.isValid()) {
                b.addLink(current);
            }
        }
        return new StepSpan(b.startSpan(), parent);
    }

    /** A span of work inside this process ({@code name}, kind INTERNAL or SERVER), child of the current span. */
    public StepSpan start(String name, SpanKind kind) {
        return start(name, kind, null);
    }

    /**
     * A span of work inside this process, child of {@code parent} when that is a valid remote context (an HTTP
     * request's W3C {@code traceparent} header), else of the current span; the infer function's predictions use it,
     * with a link to the trace of the run that trained the served model.
     */
    public StepSpan start(String name, SpanKind kind, TraceContext parent) {
        SpanContext remote = parent == null ? SpanContext.getInvalid() : SpanContexts.remote(parent);
        Context context = remote.isValid() ? Context.root().with(Span.wrap(remote)) : Context.current();
        return new StepSpan(tracer.spanBuilder(name).setSpanKind(kind).setParent(context).startSpan(), null);
    }

    /** {@code dev.cnai.shard.trained} → {@code shard.trained}. */
    static String shortType(String type) {
        if (type == null) {
            return "event";
        }
        int last = type.lastIndexOf('.');
        int before = last <= 0 ? -1 : type.lastIndexOf('.', last - 1);
        return type.substring(before + 1);
    }
}
