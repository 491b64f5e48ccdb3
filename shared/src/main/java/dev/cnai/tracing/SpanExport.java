package dev.cnai.tracing;

import dev.cnai.tracing.impl.Sdk;
import io.opentelemetry.api.OpenTelemetry;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where a process's spans go. Tracing is on when at least one endpoint is set, and only then is the OpenTelemetry
 * SDK created ({@link #open}); otherwise {@link OpenTelemetry#noop()} — no SDK class is loaded, which keeps the SDK
 * off the cold start of a function that exports nowhere (docs/operations.md#tracing).
 *
 * @param serviceName  the resource's {@code service.name} (the function's name)
 * @param otlpEndpoint an OTLP/HTTP receiver (protobuf): a base such as {@code http://collector:4318}, to which
 *                     {@code v1/traces} is added, or the full {@code …/v1/traces} URL, as OpenTelemetry's
 *                     {@code OTEL_EXPORTER_OTLP_ENDPOINT} and {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} mean them
 * @param otlpHeaders  headers of every OTLP request (e.g. an authorisation token)
 * @param zipkinEndpoint a Zipkin server's span intake ({@code http://zipkin:9411/api/v2/spans})
 * @param sampleRatio  the share of new traces recorded (parent-based: a consumed context's decision is kept)
 * @param batchDelay   how long finished spans wait before a batch is exported
 */
public record SpanExport(String serviceName, Optional<URI> otlpEndpoint, Map<String, String> otlpHeaders,
        Optional<URI> zipkinEndpoint, double sampleRatio, Duration batchDelay) {

    public SpanExport {
        if (serviceName == null || serviceName.isBlank()) {
            throw new IllegalArgumentException("tracing: the service name is empty");
        }
        otlpEndpoint = checked("the OTLP endpoint (cnai.tracing.otlp-endpoint)", otlpEndpoint);
        zipkinEndpoint = checked("the Zipkin endpoint (cnai.tracing.zipkin-endpoint)", zipkinEndpoint);
        otlpHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(otlpHeaders == null ? Map.of() : otlpHeaders));
        if (!(sampleRatio >= 0 && sampleRatio <= 1)) {
            throw new IllegalArgumentException("tracing: cnai.tracing.sample-ratio is " + sampleRatio
                    + "; give a share between 0 and 1");
        }
        if (batchDelay == null || batchDelay.isNegative() || batchDelay.isZero()) {
            throw new IllegalArgumentException("tracing: cnai.tracing.batch-delay must be positive, was " + batchDelay);
        }
    }

    /** No export: spans are no-ops, contexts pass through. */
    public static SpanExport none(String serviceName) {
        return new SpanExport(serviceName, Optional.empty(), Map.of(), Optional.empty(), 1.0, Duration.ofSeconds(5));
    }

    /** Whether any exporter is configured. */
    public boolean enabled() {
        return otlpEndpoint.isPresent() || zipkinEndpoint.isPresent();
    }

    /** The OTLP/HTTP traces URL: the endpoint as given if it ends in {@code /v1/traces}, else with it added. */
    public Optional<URI> otlpTracesUrl() {
        return otlpEndpoint.map(e -> {
            String s = e.toString();
            return s.endsWith("/v1/traces") ? e : URI.create(s + (s.endsWith("/") ? "" : "/") + "v1/traces");
        });
    }

    /**
     * The OpenTelemetry of this process: the SDK with a batch span processor per configured exporter when
     * {@link #enabled()}, else the no-op one. Close it with {@link #close(OpenTelemetry)} to flush.
     */
    public OpenTelemetry open() {
        return enabled() ? Sdk.create(this) : OpenTelemetry.noop();
    }

    /** Flushes and stops what {@link #open()} created (nothing for the no-op one). */
    public static void close(OpenTelemetry openTelemetry) {
        if (openTelemetry instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("tracing: closing the OpenTelemetry SDK failed: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Headers in OpenTelemetry's {@code OTEL_EXPORTER_OTLP_HEADERS} form: {@code key1=value1,key2=value2}, values
     * percent-decoded; blank gives none.
     */
    public static Map<String, String> parseHeaders(String spec) {
        Map<String, String> out = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return out;
        }
        for (String part : spec.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("tracing: OTLP header '" + part.strip()
                        + "' is not key=value (cnai.tracing.otlp-headers / OTEL_EXPORTER_OTLP_HEADERS)");
            }
            out.put(part.substring(0, eq).strip(),
                    URLDecoder.decode(part.substring(eq + 1).strip(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static Optional<URI> checked(String what, Optional<URI> endpoint) {
        Optional<URI> e = endpoint == null ? Optional.empty() : endpoint;
        e.ifPresent(u -> {
            if (!u.isAbsolute() || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
                    || u.getHost() == null) {
                throw new IllegalArgumentException("tracing: " + what + " '" + u
                        + "' is not an http(s) URL with a host, e.g. http://collector:4318");
            }
        });
        return e;
    }
}
