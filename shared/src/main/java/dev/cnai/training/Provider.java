package dev.cnai.training;

/** Which ONNX Runtime execution provider the engine asks for; on the wire {@code cpu}, {@code cuda} or {@code auto}. */
public enum Provider implements WireName {
    /** The CPU provider, always available. */
    CPU,
    /** The CUDA provider: fails with {@code providerUnavailable} where this build or machine has none. */
    CUDA,
    /** CUDA where it loads, else the CPU, saying why. */
    AUTO;

    /** Parses a wire name; {@code invalidSpec} for any other value. */
    public static Provider parse(String value) {
        return WireName.parse(Provider.class, value, "provider");
    }
}
