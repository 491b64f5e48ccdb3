/**
 * The served model format: {@link OnnxExporter} writes trained weights as a standard ONNX graph (opset 17) that
 * takes raw features, normalises them with the training statistics and outputs {@code probabilities} (Softmax)
 * and {@code label} (ArgMax); {@link OnnxModel} loads such bytes into an ONNX Runtime session and predicts
 * ({@link Prediction}); evaluate scores the test split with it and infer serves it.
 */
package dev.cnai.onnx;
