package dev.cnai.registry;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One registered version of a model.
 *
 * @param name           model name
 * @param version        {@code v<N>}
 * @param manifestDigest digest of the OCI manifest
 * @param modelDigest    digest of the ONNX weight layer
 * @param modelSize      size of the ONNX weight layer in bytes
 * @param runId          training run that produced it
 * @param annotations    the manifest annotations (lineage, metrics, OCI image annotations), sorted by key
 * @param aliases        aliases (e.g. {@code production}) currently pointing at this version, sorted
 */
public record ModelVersion(String name, String version, String manifestDigest, String modelDigest, long modelSize,
        String runId, Map<String, String> annotations, List<String> aliases) {

    public ModelVersion {
        annotations = annotations == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(annotations));
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
    }

    /** The numeric part of {@link #version()}. */
    public int number() {
        return Integer.parseInt(version.substring(1));
    }
}
