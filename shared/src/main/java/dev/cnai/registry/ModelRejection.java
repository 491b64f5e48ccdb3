package dev.cnai.registry;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run whose model failed the quality gate. Stored in the registry next to the versions (a small OCI artifact
 * tagged {@code rejected-<run>}, artifactType {@link ModelPackConfig#REJECTION_ARTIFACT_TYPE}), so listing a
 * model shows why a run did not become a version.
 *
 * @param name          model name
 * @param runId         the rejected run
 * @param reason        why the gate refused it
 * @param datasetDigest {@code sha256:<hex>} of the dataset the run trained on
 * @param metrics       the run's test metrics (finite numbers)
 * @param createdAt     RFC 3339 time of the run
 */
public record ModelRejection(String name, String runId, String reason, String datasetDigest,
        Map<String, Double> metrics, String createdAt) {

    public ModelRejection {
        metrics = metrics == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }
}
