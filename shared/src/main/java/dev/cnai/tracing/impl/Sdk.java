package dev.cnai.tracing.impl;

import dev.cnai.tracing.SpanExport;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.exporter.zipkin.ZipkinSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;

/**
 * The OpenTelemetry SDK of a {@link SpanExport}: only {@link SpanExport#open()} reaches this class, so the SDK's
 * classes load only when an exporter is configured. OTLP goes over HTTP/protobuf with the JDK's HTTP client
 * ({@code opentelemetry-exporter-sender-jdk}, not OkHttp); Zipkin with the exporter's own (OkHttp) sender.
 */
public final class Sdk {
    private Sdk() {
    }

    public static OpenTelemetrySdk create(SpanExport export) {
        Resource resource = Resource.getDefault().merge(Resource.create(
                Attributes.of(AttributeKey.stringKey("service.name"), export.serviceName())));
        SdkTracerProviderBuilder tracers = SdkTracerProvider.builder().setResource(resource)
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(export.sampleRatio())));
        export.otlpTracesUrl().ifPresent(url -> {
            OtlpHttpSpanExporterBuilder otlp = OtlpHttpSpanExporter.builder().setEndpoint(url.toString());
            export.otlpHeaders().forEach(otlp::addHeader);
            tracers.addSpanProcessor(batch(otlp.build(), export));
        });
        export.zipkinEndpoint().ifPresent(url -> tracers.addSpanProcessor(batch(ZipkinSpanExporter.builder()
                .setEndpoint(url.toString()).build(), export)));
        return OpenTelemetrySdk.builder().setTracerProvider(tracers.build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
    }

    private static BatchSpanProcessor batch(SpanExporter exporter, SpanExport export) {
        return BatchSpanProcessor.builder(exporter).setScheduleDelay(export.batchDelay()).build();
    }
}
