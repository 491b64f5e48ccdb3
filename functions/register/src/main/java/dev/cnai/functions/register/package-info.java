/**
 * register: an adapter only. {@link RegisterFunction} turns {@code dev.cnai.model.evaluated} into a call on
 * {@link dev.cnai.pipeline.RegisterStep} (quality gate, ModelPack OCI artifact, {@code production} alias) and
 * sends {@code model.registered} and {@code model.promoted}, or {@code model.rejected}, to {@code K_SINK};
 * {@link RegisterConfig} holds its settings and {@link Promotion} produces the Knative canary rollout of infer on
 * a cluster (none in local mode).
 */
package dev.cnai.functions.register;
