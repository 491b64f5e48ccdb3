package dev.cnai.events;

import dev.cnai.storage.ArtifactRef;

/**
 * evaluate averaged a round and took a {@link Decision}.
 */
public record RoundCompleted(String runId, int round, int rounds, double trainLoss, double validationLoss,
        double validationAccuracy, Decision decision, long elapsedMillis, ArtifactRef weights) implements EventData {
}
