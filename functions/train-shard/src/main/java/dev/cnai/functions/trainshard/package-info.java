/**
 * train-shard: an adapter only. {@link TrainShardFunction} turns {@code dev.cnai.shard.assigned} into a call on
 * {@link dev.cnai.pipeline.TrainShardStep} (local epochs on the shard from the round's global weights) and
 * answers with its {@code shard.trained} report as the HTTP reply.
 */
package dev.cnai.functions.trainshard;
