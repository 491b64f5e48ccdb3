package dev.cnai.pipeline;

import dev.cnai.data.DatasetSpec;
import dev.cnai.data.NormStats;
import dev.cnai.events.DatasetPrepared.ShardInfo;
import dev.cnai.storage.ArtifactRef;
import dev.cnai.training.ModelSpec;
import dev.cnai.training.TrainingSpec;
import java.util.List;

/**
 * Everything a run needs after preprocess, written once to {@code runs/<runId>/plan.json} and passed
 * by reference in every event (claim check). Specs here have their defaults filled in.
 */
public record RunPlan(String runId, String modelName, DatasetSpec dataset, ModelSpec model, TrainingSpec training,
        Double minAccuracy, String datasetDigest, int features, int classes, NormStats stats, List<ShardInfo> shards,
        ArtifactRef validation, ArtifactRef test, long createdAtMillis) {
}
