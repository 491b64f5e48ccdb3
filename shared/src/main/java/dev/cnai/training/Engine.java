package dev.cnai.training;

import java.util.Locale;

/** Which local trainer runs a shard. */
public enum Engine {
    /** The ONNX Runtime engine ({@link OnnxTrainer}): every family and optimiser, CPU or CUDA. */
    ONNX,
    /** The plain-Java reference ({@link JavaTrainer}): every family, sgd only, for checking the engine. */
    JAVA;

    /** The wire name: {@code onnx} or {@code java}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a wire name, trimmed and case-insensitive.
     *
     * @throws TrainingException {@code invalidSpec} for any other value
     */
    public static Engine parse(String value) {
        for (Engine e : values()) {
            if (e.wireName().equals(value == null ? "" : value.trim().toLowerCase(Locale.ROOT))) {
                return e;
            }
        }
        throw TrainingException.invalidSpec("engine must be onnx or java, got '" + value + "'");
    }
}
