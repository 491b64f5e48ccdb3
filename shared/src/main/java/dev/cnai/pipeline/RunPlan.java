package dev.cnai.pipeline;

import dev.cnai.events.NormStats;
import dev.cnai.events.DatasetSpec;
import dev.cnai.events.DatasetPrepared.ShardInfo;
import dev.cnai.storage.ArtifactRef;
import dev.cnai.training.Architecture;
import dev.cnai.training.TrainingConfig;
import java.util.List;

/**
 * Everything a run needs after preprocess, written once to {@code runs/<runId>/plan.json} and passed
 * by reference in every event (claim check). The dataset spec has its defaults filled in; the model and training
 * configuration are the validated types, parsed once by preprocess (written in their wire form).
 */
public record RunPlan(String runId, String modelName, DatasetSpec dataset, Architecture model,
        TrainingConfig training,
        Double minAccuracy, String datasetDigest, int features, int classes, NormStats stats, List<ShardInfo> shards,
        ArtifactRef validation, ArtifactRef test, long createdAtMillis) {
}
