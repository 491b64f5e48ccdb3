package dev.cnai.training;

/** Which local trainer runs a shard; on the wire {@code onnx} or {@code java}. */
public enum Engine implements WireName {
    /** The ONNX Runtime engine ({@link OnnxTrainer}): every family and optimiser, CPU or CUDA. */
    ONNX,
    /** The plain-Java reference ({@link JavaTrainer}): every family, sgd only, for checking the engine. */
    JAVA;

    /** Parses a wire name; {@code invalidSpec} for any other value. */
    public static Engine parse(String value) {
        return WireName.parse(Engine.class, value, "engine");
    }
}
