package dev.cnai.data;

/**
 * Normalisation statistics computed on the training split: features are fed to models as
 * {@code (x - mean) / std}. The exported ONNX graph applies the same transform, so clients send raw values.
 */
public record NormStats(double mean, double std) {
}
