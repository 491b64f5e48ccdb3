/**
 * infer: adapters only. {@link dev.cnai.functions.infer.InferFunction} (CloudEvents, Funqy) and
 * {@link dev.cnai.functions.infer.OipRoutes} → {@link dev.cnai.functions.infer.OipService} (Open Inference
 * Protocol v2, Vert.x) turn their requests into calls on {@link dev.cnai.serving.ModelServer} and its answers
 * (Java futures, adapted as Mutiny {@code Uni}s) into responses; {@link dev.cnai.functions.infer.ServingSetup}
 * wires it (configuration, worker pool, metrics, load at start, readiness). Batching, batch assembly and the
 * model swap are in {@code shared/…/serving}.
 */
package dev.cnai.functions.infer;
