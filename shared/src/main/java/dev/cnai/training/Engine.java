package dev.cnai.training;

/** Which local trainer runs a shard. */
public enum Engine {
    /** The ONNX Runtime engine ({@link OnnxTrainer}): every family and optimiser, CPU or CUDA. */
    ONNX,
    /** The plain-Java reference ({@link JavaTrainer}): every family, sgd only, for checking the engine. */
    JAVA;

    /** The wire name: {@code onnx} or {@code java}. */
    public String wireName() {
        return WireNames.of(this);
    }

    /**
     * Parses a wire name, trimmed and case-insensitive.
     *
     * @throws TrainingException {@code invalidSpec} for any other value
     */
    public static Engine parse(String value) {
        return WireNames.parse(Engine.class, value, "engine");
    }
}
