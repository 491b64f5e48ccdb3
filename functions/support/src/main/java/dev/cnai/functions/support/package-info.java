/**
 * Quarkus glue shared by the functions: the CloudEvent gate (validation, 4xx errors before any work), the one
 * mapping from error kinds to HTTP statuses ({@link ErrorMapping}, {@link FailureReporter}), the {@code K_SINK}
 * event sink ({@link EventSink}), metrics, and the CDI producers of the shared library's I/O objects
 * ({@link StoreProducers}). The settings every function shares are in this module's
 * {@code META-INF/microprofile-config.properties}.
 */
package dev.cnai.functions.support;
