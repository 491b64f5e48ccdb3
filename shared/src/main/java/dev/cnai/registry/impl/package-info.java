/**
 * Internal: not API; may change. The OCI backends behind {@link dev.cnai.registry.Registries}: the logic
 * they share ({@link OciModelRegistry}: versions, aliases, rejection records and lineage as tags and manifest
 * annotations), an OCI image layout on disk ({@link OciLayoutRegistry}, {@link OciLayout}, with
 * {@link LayoutLocks} serialising writers across threads and processes) and any OCI distribution-spec server
 * ({@link OciDistributionRegistry} over {@link OciHttp}, the OCI distribution API and its auth handshake on
 * {@code java.net.http}), written by our own code rather than the ORAS Java SDK; deterministic manifests
 * ({@link ManifestCodec}) and name syntax ({@link Refs}).
 */
package dev.cnai.registry.impl;
