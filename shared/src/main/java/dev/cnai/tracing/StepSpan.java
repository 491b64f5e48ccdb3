package dev.cnai.tracing;

import dev.cnai.events.OutgoingEvent;
import dev.cnai.events.TraceContext;
import dev.cnai.pipeline.EventSender;
import dev.cnai.tracing.impl.SpanContexts;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One span of the pipeline, current while it is open (close it with try-with-resources on the thread that opened
 * it). Attributes are low-cardinality identifiers of the work — run, round, shard, model version — and the consumed
 * event's type and id; errors are recorded with {@link #error}. Events emitted through {@link #sender} or
 * {@link #stamp} carry this span's context as their {@code traceparent}/{@code tracestate}.
 */
public final class StepSpan implements AutoCloseable {
    public static final AttributeKey<String> EVENT_TYPE = AttributeKey.stringKey("cloudevents.event_type");
    public static final AttributeKey<String> EVENT_ID = AttributeKey.stringKey("cloudevents.event_id");
    public static final AttributeKey<String> RUN_ID = AttributeKey.stringKey("cnai.run_id");
    public static final AttributeKey<Long> ROUND = AttributeKey.longKey("cnai.round");
    public static final AttributeKey<Long> SHARD = AttributeKey.longKey("cnai.shard");
    public static final AttributeKey<String> MODEL = AttributeKey.stringKey("cnai.model");
    public static final AttributeKey<String> MODEL_VERSION = AttributeKey.stringKey("cnai.model_version");
    /**
     * The span ids this span links to, comma-separated, beside the span links themselves: Zipkin's data model has no
     * links, so its exporter drops them; this attribute keeps the fan-in visible there.
     */
    public static final AttributeKey<String> LINKED_SPANS = AttributeKey.stringKey("cnai.linked_spans");
    /** The trace id of the run that trained the model a span works with (infer). */
    public static final AttributeKey<String> TRAINING_TRACE = AttributeKey.stringKey("cnai.training_trace_id");

    private final Span span;
    private final Scope scope;
    private final TraceContext parent;
    private final List<String> linked = new ArrayList<>();
    private boolean left;

    StepSpan(Span span, TraceContext parent) {
        this.span = span;
        this.parent = parent;
        this.scope = span.makeCurrent();
    }

    public StepSpan round(int round) {
        span.setAttribute(ROUND, (long) round);
        return this;
    }

    public StepSpan shard(int shard) {
        span.setAttribute(SHARD, (long) shard);
        return this;
    }

    public StepSpan run(String runId) {
        if (runId != null) {
            span.setAttribute(RUN_ID, runId);
        }
        return this;
    }

    public StepSpan model(String name, String version) {
        if (name != null) {
            span.setAttribute(MODEL, name);
        }
        if (version != null) {
            span.setAttribute(MODEL_VERSION, version);
        }
        return this;
    }

    /** Links this span to another one, e.g. evaluate's fan-in to each shard's train-shard span. */
    public StepSpan link(TraceContext other) {
        SpanContext sc = SpanContexts.remote(other);
        if (sc.isValid()) {
            span.addLink(sc);
            linked.add(sc.getSpanId());
            span.setAttribute(LINKED_SPANS, String.join(",", linked));
        }
        return this;
    }

    /** Links this span to the trace of the run that trained the model it serves (infer). */
    public StepSpan trainedBy(TraceContext training) {
        if (training != null) {
            span.setAttribute(TRAINING_TRACE, training.traceId());
            link(training);
        }
        return this;
    }

    /** Records {@code e} on the span and marks it failed; returns {@code e} for {@code throw span.error(e)}. */
    public <T extends Throwable> T error(T e) {
        span.recordException(e);
        span.setStatus(StatusCode.ERROR, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        return e;
    }

    /**
     * The context that events emitted now carry: this span's, or — when the SDK is off and the span records nothing —
     * the consumed event's, passed on unchanged.
     */
    public Optional<TraceContext> context() {
        return SpanContexts.wire(span.getSpanContext()).or(() -> Optional.ofNullable(parent));
    }

    /** The consumed event's trace context, if it had one. */
    public Optional<TraceContext> parent() {
        return Optional.ofNullable(parent);
    }

    public OutgoingEvent stamp(OutgoingEvent e) {
        return e.withTrace(context().orElse(null));
    }

    public List<OutgoingEvent> stamp(List<OutgoingEvent> events) {
        TraceContext t = context().orElse(null);
        return events.stream().map(e -> e.withTrace(t)).toList();
    }

    /** {@code delegate}, sending every event with this span's context. */
    public EventSender sender(EventSender delegate) {
        return events -> delegate.send(stamp(events));
    }

    /**
     * Stops this span being current on this thread while it stays open, for work that completes later elsewhere
     * (then {@link #end}); idempotent.
     */
    public StepSpan leave() {
        if (!left) {
            left = true;
            scope.close();
        }
        return this;
    }

    /** Ends the span (after {@link #leave}, on any thread). */
    public void end() {
        span.end();
    }

    @Override
    public void close() {
        leave();
        end();
    }
}
