/**
 * Training. The validated configuration a run trains with, parsed once from the wire records by preprocess:
 * {@link Architecture} (sealed: softmax, MLP, CNN, with their shapes and seeded initialisation),
 * {@link TrainingConfig} (every value present, defaults beside the fields, ranges checked on construction),
 * {@link Optimizer} (sealed: sgd with momentum, adam with its betas), {@link Engine} and {@link Provider}.
 * The engines: the ONNX Runtime training engine ({@link OnnxTrainer}: generated forward, backward and
 * optimiser-update graphs, one {@code session.run} per local epoch, CPU or CUDA, internals in
 * {@code dev.cnai.training.impl}), the plain-Java reference trainer ({@link JavaTrainer}, double precision, the
 * oracle of the gradient checks and {@code engine: java}), {@link TrainingEngines}, which picks the engine a
 * {@link TrainingConfig} names and keeps one ONNX Runtime engine open between calls, federated averaging
 * ({@link FedAvg}, weighted by samples) and classification metrics. Same seed and shards give bit-identical
 * weights on one machine and provider.
 */
package dev.cnai.training;
