package dev.cnai.functions.support;

import io.opentelemetry.exporter.zipkin.ZipkinSpanExporter;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.quarkus.arc.lookup.LookupUnlessProperty;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * A span exporter to Zipkin when {@code cnai.tracing.zipkin-endpoint} is set: quarkus-opentelemetry exports to every
 * {@link SpanExporter} bean (its default {@code cdi} exporter), and this bean exists only with the property, so without
 * it nothing here is created or loaded.
 */
public class ZipkinExport {
    @Produces
    @Singleton
    @LookupUnlessProperty(name = "cnai.tracing.zipkin-endpoint", stringValue = "", lookupIfMissing = false)
    SpanExporter zipkin(FunctionConfig config) {
        return ZipkinSpanExporter.builder().setEndpoint(config.tracing().zipkinEndpoint().orElseThrow()).build();
    }
}
