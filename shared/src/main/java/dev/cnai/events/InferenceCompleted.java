package dev.cnai.events;

/** Predictions of the served model: a label and class probabilities per instance. */
public record InferenceCompleted(String runId, String model, String version, String modelDigest,
        int[] labels, float[][] probabilities) implements EventData {
}
