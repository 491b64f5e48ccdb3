package dev.cnai.events;

/**
 * Starts a run. Everything but {@code dataset} has a default; {@code runId} defaults to one derived
 * from the CloudEvent id, so a redelivered request maps to the same run.
 *
 * @param minAccuracy quality gate: the lowest test accuracy register accepts (default from register's config)
 */
public record RunRequested(String runId, DatasetSpec dataset, ModelSpec model, TrainingSpec training,
        String modelName, Double minAccuracy) implements EventData {
}
