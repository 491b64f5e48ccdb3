/**
 * Tracing of the pipeline with the OpenTelemetry API: {@link dev.cnai.tracing.Tracing} starts a function's span for a
 * consumed event as a child of the event's CloudEvents Distributed Tracing extension
 * ({@link dev.cnai.events.TraceContext}); {@link dev.cnai.tracing.StepSpan} stamps its own context on every event the
 * step emits; {@link dev.cnai.tracing.FanInTraces} keeps each shard's context so evaluate's fan-in links to all of
 * them. The SDK and exporters are the application's (quarkus-opentelemetry in the functions); here the API only.
 */
package dev.cnai.tracing;
