package dev.cnai.functions.support;

import dev.cnai.events.TraceContext;
import dev.cnai.tracing.StepSpan;
import dev.cnai.tracing.Tracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.quarkus.funqy.knative.events.CloudEvent;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The functions' entry to {@link Tracing}, on the OpenTelemetry instance {@link TracingSetup} gives (the no-op one
 * unless an exporter endpoint is configured, the default). Each {@code @Funq} method opens one span for the event it
 * consumes and sends its events through it:
 *
 * <pre>{@code
 * try (StepSpan span = tracing.consume(event, runId)) {
 *     step.handle(event.data(), span.sender(sink::emitAll));
 * }
 * }</pre>
 */
@ApplicationScoped
public class EventTracing {
    private final Tracing tracing;
    private final FunctionConfig config;

    public EventTracing(OpenTelemetry openTelemetry, FunctionConfig config) {
        this.tracing = new Tracing(openTelemetry);
        this.config = config;
    }

    /** The span of handling {@code event}, continuing the trace its {@code traceparent} extension names. */
    public StepSpan consume(CloudEvent<?> event, String runId) {
        return tracing.consume(config.function(), event.type(), event.id(), runId, trace(event).orElse(null));
    }

    /**
     * A span of work in this function (e.g. infer's Open Inference Protocol requests), child of the caller's
     * context (an HTTP request's W3C {@code traceparent}) when there is one, else of the current span.
     */
    public StepSpan start(String name, SpanKind kind, TraceContext caller) {
        return tracing.start(name, kind, caller);
    }

    /** The Distributed Tracing extension of a Funqy event, if it has a valid one. */
    public static java.util.Optional<TraceContext> trace(CloudEvent<?> event) {
        return TraceContext.of(event.extensions());
    }
}
