package dev.cnai.events;

import dev.cnai.storage.ArtifactRef;
import java.util.List;

/** preprocess validated and split the dataset and wrote the shards. */
public record DatasetPrepared(String runId, String datasetDigest, int features, int classes,
        int trainRows, int validationRows, int testRows, NormStats stats,
        List<ShardInfo> shards, ArtifactRef validation, ArtifactRef test, ArtifactRef plan) implements EventData {

    /** One training shard. */
    public record ShardInfo(int index, int rows, ArtifactRef data) {
    }
}
