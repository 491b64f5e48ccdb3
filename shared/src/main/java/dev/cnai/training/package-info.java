/**
 * Training: the ONNX Runtime training engine ({@link OnnxTrainer}: generated forward, backward and
 * optimiser-update graphs, one {@code session.run} per local epoch, CPU or CUDA, internals in
 * {@code dev.cnai.training.impl}), the plain-Java reference trainer ({@link JavaTrainer}, double precision, the
 * oracle of the gradient checks and {@code engine: java}), {@link TrainingEngines}, which picks the engine a
 * {@link TrainingSpec} names and keeps one ONNX Runtime engine open between calls, federated averaging
 * ({@link FedAvg}, weighted by samples) and classification metrics. Same seed and shards give bit-identical
 * weights on one machine and provider.
 */
package dev.cnai.training;
