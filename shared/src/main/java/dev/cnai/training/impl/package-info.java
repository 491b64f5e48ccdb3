/**
 * Internal: not API; may change. The internals of {@link dev.cnai.training.OnnxTrainer}: the generated
 * ONNX training graphs ({@link TrainingGraphs}, built with {@link Graph}; {@link Network} emits the forward pass,
 * the softmax cross-entropy and the hand-derived backward pass in standard operators), the shapes of a model
 * ({@link Layout}), the execution provider choice ({@link Providers}), the direct buffers a call uploads through
 * ({@link Staging}) and thread tuning ({@link TunedSession}, {@link ThreadTuner}).
 */
package dev.cnai.training.impl;
