package dev.cnai.events;

import dev.cnai.storage.ArtifactRef;

/**
 * evaluate averaged a round. {@code decision} is {@code continue}, {@code early-stop} or {@code done}.
 */
public record RoundCompleted(String runId, int round, int rounds, double trainLoss, double validationLoss,
        double validationAccuracy, String decision, long elapsedMillis, ArtifactRef weights) implements EventData {
}
