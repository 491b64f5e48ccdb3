/**
 * The logic of each step, in plain Java, which the function modules only adapt to CloudEvents:
 * {@link PreprocessStep}, {@link TrainShardStep}, {@link EvaluateStep} and {@link RegisterStep}
 * ({@code PipelineStepsTest} drives them all in process). Every output has a deterministic key
 * ({@link Keys}: run, round, shard) and every event a deterministic id, so a redelivered event finds its stored
 * output and nothing is recomputed; a step that fans out sends its events through an {@link EventSender} and
 * re-emits them only while the emission is unconfirmed ({@link Outbox}), so one duplicate input causes at most
 * its own direct outputs again. See {@code docs/architecture.md}, "Delivery semantics".
 */
package dev.cnai.pipeline;
