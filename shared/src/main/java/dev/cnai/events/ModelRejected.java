package dev.cnai.events;

/** The quality gate refused the model; {@code reason} says which bar it missed and by how much. */
public record ModelRejected(String runId, String modelName, String reason, double accuracy,
        double minAccuracy) implements EventData {
}
