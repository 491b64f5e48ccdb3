/**
 * evaluate: an adapter only. {@link EvaluateFunction} turns {@code dev.cnai.shard.trained} into a call on
 * {@link dev.cnai.pipeline.EvaluateStep} (record the report; when the round is complete, average, score and
 * decide continue, early-stop or done; at the end export and test the model) and sends its
 * {@code round.completed} and {@code shard.assigned}, or {@code model.evaluated}, events to {@code K_SINK}.
 */
package dev.cnai.functions.evaluate;
