package dev.cnai.training;

/** Which ONNX Runtime execution provider the engine asks for. */
public enum Provider {
    /** The CPU provider, always available. */
    CPU,
    /** The CUDA provider: fails with {@code providerUnavailable} where this build or machine has none. */
    CUDA,
    /** CUDA where it loads, else the CPU, saying why. */
    AUTO;

    /** The wire name: {@code cpu}, {@code cuda} or {@code auto}. */
    public String wireName() {
        return WireNames.of(this);
    }

    /**
     * Parses a wire name, trimmed and case-insensitive.
     *
     * @throws TrainingException {@code invalidSpec} for any other value
     */
    public static Provider parse(String value) {
        return WireNames.parse(Provider.class, value, "provider");
    }
}
