package dev.cnai.events;

import dev.cnai.storage.ArtifactRef;

/** A shard must train one round locally, starting from the round's global weights. */
public record ShardAssigned(String runId, int round, int shard, int shardCount, int rows,
        ArtifactRef data, ArtifactRef weights, ArtifactRef plan) implements EventData {
}
