/**
 * The model registry: {@link ModelRegistry} stores trained ONNX models as CNCF ModelPack OCI artifacts in any
 * OCI registry ({@code oci://host/ns}, {@code oci+http://…} for loopback) or, by default, one OCI image layout
 * per model, opened by {@link Registries#open(String)}. Versions {@code vN}, aliases
 * ({@link ModelRegistry#PRODUCTION}, …) and rejection records ({@code rejected-<run>}) are tags; lineage (run id,
 * dataset and test-split digests, hyper-parameters, metrics, parent version) is in {@code dev.cnai.*} manifest
 * annotations ({@link ModelAnnotations}). Every pulled blob is checked against its digest. {@link RegistryMirror}
 * copies models between two registries byte for byte (backup and restore). See
 * {@code docs/registry.md}.
 */
package dev.cnai.registry;
