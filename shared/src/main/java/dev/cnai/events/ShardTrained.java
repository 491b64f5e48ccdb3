package dev.cnai.events;

import dev.cnai.storage.ArtifactRef;

/** A shard finished its local epochs for a round; {@code weights} are its local update. */
public record ShardTrained(String runId, int round, int shard, int shardCount, int samples,
        double trainLoss, ArtifactRef weights, ArtifactRef plan) implements EventData {
}
