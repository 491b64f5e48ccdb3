/**
 * preprocess: an adapter only. {@link PreprocessFunction} turns {@code dev.cnai.run.requested} into a call on
 * {@link dev.cnai.pipeline.PreprocessStep} (read, validate, split, normalise, shard, plan and round-1 weights)
 * and sends its {@code dataset.prepared} and {@code shard.assigned} events to {@code K_SINK}.
 */
package dev.cnai.functions.preprocess;
