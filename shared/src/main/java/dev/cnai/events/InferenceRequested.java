package dev.cnai.events;

/**
 * Asks infer to classify {@code instances} (one row of features each) with a model; {@code model}
 * defaults to the served one. {@code runId} is the caller's correlation id (the CloudEvent subject).
 */
public record InferenceRequested(String runId, String model, float[][] instances) implements EventData {
}
