package dev.cnai.events;

import java.util.function.Function;

/**
 * Normalisation statistics computed on the training split: features are fed to models as
 * {@code (x - mean) / std}. The exported ONNX graph applies the same transform, so clients send raw values.
 */
public record NormStats(double mean, double std) {
    /**
     * {@code stats} when every consumer can use them: a mean that is finite as a float and a std that is positive
     * and finite as a float (the training graph and the exported model hold both as float32; the plain-Java
     * reference applies the same rule, so all engines accept the same stats). {@code data.Normalization.fit} always
     * gives such stats. The one rule for every engine and the exporter; each throws its own exception type.
     *
     * @param error makes the caller's exception from the message
     */
    public static <E extends RuntimeException> NormStats require(NormStats stats, Function<String, E> error) {
        if (stats == null || !Float.isFinite((float) stats.mean()) || !Float.isFinite((float) stats.std())
                || !((float) stats.std() > 0)) {
            throw error.apply("normalisation stats need a finite mean and a positive std, got " + stats);
        }
        return stats;
    }
}
