package dev.cnai.registry;

/**
 * A model fetched from the registry; every blob was verified against its descriptor digest.
 *
 * @param version    the resolved version
 * @param onnx       the ONNX model bytes
 * @param configJson the ModelPack config JSON
 */
public record PulledModel(ModelVersion version, byte[] onnx, String configJson) {
}
