package dev.cnai.functions.support;

import dev.cnai.tracing.SpanExport;
import io.opentelemetry.api.OpenTelemetry;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The function's {@link OpenTelemetry}: the SDK with the configured exporters when {@code cnai.tracing.otlp-endpoint}
 * or {@code cnai.tracing.zipkin-endpoint} is set, else the no-op one, created on first use (the first event or
 * request), so a function that exports nowhere loads no SDK class at all. Closed (flushed) at shutdown, which is
 * how a function scaled to zero hands over its last spans.
 */
public class TracingSetup {
    @Produces
    @Singleton
    OpenTelemetry openTelemetry(FunctionConfig config) {
        FunctionConfig.Tracing t = config.tracing();
        return new SpanExport(config.function(), t.otlpEndpoint(), SpanExport.parseHeaders(t.otlpHeaders().orElse("")),
                t.zipkinEndpoint(), t.sampleRatio(), t.batchDelay()).open();
    }

    void close(@Disposes OpenTelemetry openTelemetry) {
        SpanExport.close(openTelemetry);
    }
}
