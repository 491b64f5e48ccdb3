package dev.cnai.functions.support;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Settings every CNAI function shares. */
@ConfigMapping(prefix = "cnai")
public interface FunctionConfig {

    /** This function's name: the CloudEvent source of what it emits is {@code /cnai/<function>}; also a metric tag. */
    String function();

    /** CloudEvent types this function accepts; a plain JSON POST is treated as an event of the first one. */
    List<String> accepts();

    /**
     * Object store root: a directory, a {@code file:} URI or {@code s3://bucket/prefix[?options]} (docs/storage.md).
     * Set by {@code cnai.storage-root} / {@code CNAI_STORAGE_ROOT}, else {@code cnai.store} / {@code CNAI_STORE} (the
     * name the CLI's {@code --store} uses too), else {@code .cnai/store}.
     */
    @WithDefault("${cnai.store:.cnai/store}")
    String storageRoot();

    /** Model registry location: a directory holding one OCI image layout per model, or {@code oci-layout:/path}. */
    @WithDefault(".cnai/registry")
    String registry();

    /** Where fan-out events go. */
    Sink sink();

    /** Limits on incoming events. */
    Events events();

    /** Energy accounting of each handled event (docs/operations.md#energy). */
    Energy energy();

    /** Where spans go; tracing is on when an endpoint is set (docs/operations.md#tracing). */
    Tracing tracing();

    interface Tracing {
        /**
         * An OTLP/HTTP (protobuf) receiver: an OpenTelemetry Collector, Jaeger or Tempo, e.g.
         * {@code http://otel-collector:4318} ({@code v1/traces} is added) or the full {@code …/v1/traces} URL.
         * Defaults to OpenTelemetry's {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}, then {@code OTEL_EXPORTER_OTLP_ENDPOINT}.
         */
        Optional<URI> otlpEndpoint();

        /** Headers of each OTLP request, {@code key=value,key2=value2} (default: {@code OTEL_EXPORTER_OTLP_HEADERS}). */
        Optional<String> otlpHeaders();

        /** A Zipkin server's span intake ({@code http://host:9411/api/v2/spans}), with OpenTelemetry's Zipkin exporter. */
        Optional<URI> zipkinEndpoint();

        /** Share of new traces recorded, 0..1; a consumed event's sampling decision is kept (parent-based). */
        @WithDefault("1.0")
        double sampleRatio();

        /** How long finished spans wait before a batch is exported; the SDK is flushed at shutdown too. */
        @WithDefault("PT5S")
        Duration batchDelay();
    }

    interface Sink {
        /** Broker ingress URL; Knative's SinkBinding injects it as {@code K_SINK}. */
        Optional<String> url();

        /** Timeout of one POST to the sink. */
        @WithDefault("PT10S")
        Duration timeout();

        /**
         * How long emitting keeps retrying a sink that pushes back (429/503) or cannot be reached, with exponential
         * backoff, before it fails (and the input event is answered 5xx and redelivered); PT0S for no retries.
         */
        @WithDefault("PT30S")
        Duration retryDeadline();
    }

    interface Events {
        /** Largest accepted event body in bytes; events carry references, so this stays small. */
        @WithDefault("65536")
        int maxBytes();

        /**
         * Longest CloudEvent attribute or extension value (id, source, subject, type, traceparent…) in characters;
         * one longer is refused with 413 (docs/operations.md#limits).
         */
        @WithDefault("1024")
        int maxAttributeLength();

        /** Emit {@code dev.cnai.pipeline.failed} when this function rejects a valid event it cannot process. */
        @WithDefault("true")
        boolean emitFailures();
    }

    interface Energy {
        /**
         * Watts of one fully busy core for the estimate (joules = process CPU-seconds x this) where no RAPL counter
         * is readable; the default is Cloud Carbon Footprint's average maximum watts per vCPU for AWS.
         */
        @WithDefault("3.5")
        double wattsPerCore();

        /** The powercap sysfs directory whose {@code intel-rapl:N} package counters are read when readable. */
        @WithDefault("/sys/class/powercap")
        String powercap();

        /** Write one record per handled event of a run to {@code runs/<run>/energy/} in the object store. */
        @WithDefault("true")
        boolean record();
    }
}
