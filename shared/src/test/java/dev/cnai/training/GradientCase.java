package dev.cnai.training;

import static dev.cnai.testing.Configs.arch;

import dev.cnai.data.Dataset;
import java.util.List;
import java.util.stream.Stream;

/**
 * A model, data and L2 penalty whose gradient a test checks: the dense cases are shared by
 * {@link GradientCheckTest} (against finite differences) and {@link OnnxTrainerTest} (against the Java reference).
 */
record GradientCase(String name, Architecture spec, Dataset data, double l2) {
    /** Softmax regression and a two-hidden-layer MLP on seeded blobs. */
    static Stream<GradientCase> dense() {
        return Stream.of(
                new GradientCase("softmax", arch("softmax", null), TestData.blobs(24, 6, 4, 1.0, 0.0, 3), 0.01),
                new GradientCase("mlp", arch("mlp", List.of(7, 5)), TestData.blobs(20, 6, 3, 1.0, 0.5, 4), 0.02));
    }

    @Override
    public String toString() {
        return name;
    }
}
