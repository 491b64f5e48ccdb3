package dev.cnai.events;

import dev.cnai.storage.ArtifactRef;

/** Training finished: the exported ONNX model and its test-split metrics. */
public record ModelEvaluated(String runId, String modelName, int rounds, int bestRound, ArtifactRef model,
        ArtifactRef weights, ArtifactRef plan, ClassificationMetrics test, double validationAccuracy,
        long elapsedMillis) implements EventData {
}
