package dev.cnai.training;

import static dev.cnai.testing.Configs.arch;
import dev.cnai.training.Architecture;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.data.Dataset;
import dev.cnai.events.NormStats;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks {@link JavaTrainer#gradient} against central finite differences of {@link JavaTrainer#loss} (computed in
 * double). Tolerance per entry: |analytic - numeric| ≤ 1e-6 + 1e-3 · max(|analytic|, |numeric|).
 */
class GradientCheckTest {
    private static final float EPS = 1e-3f;
    private static final double ABS_TOL = 1e-6;
    private static final double REL_TOL = 1e-3;
    private static final NormStats STATS = new NormStats(0.3, 1.7);

    /** Each case with its finite-difference step: CNNs use a smaller one, as a larger one moves pre-activations
     * across ReLU and max-pool kinks. */
    static Stream<Arguments> cases() {
        GradientCase cnn = new GradientCase("cnn", arch("cnn", List.of(5), List.of(2, 3)),
                OnnxTrainerTest.images(10, 3, 6), 0.01);
        return Stream.concat(GradientCase.dense().map(c -> Arguments.of(c, EPS)), Stream.of(Arguments.of(cnn, 1e-4f)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientMatchesFiniteDifferences(GradientCase c, float eps) {
        check(c.spec(), c.data(), c.l2(), eps);
    }

    /** Compares the analytic gradient with central differences of step {@code eps}. */
    private static void check(Architecture spec, Dataset data, double l2, float eps) {
        Weights w = spec.initialize(data.features(), data.classes(), 11);
        // non-zero biases so that their gradient path is exercised away from the initial point
        w = perturbBiases(w);
        Weights grad = JavaTrainer.gradient(spec, w, data, STATS, l2);
        int checked = 0;
        for (int t = 0; t < w.tensors().size(); t++) {
            Tensor tensor = w.tensors().get(t);
            assertArrayEquals(tensor.shape(), grad.get(tensor.name()).shape());
            for (int i = 0; i < tensor.size(); i++) {
                float orig = tensor.data()[i];
                float plus = orig + eps;
                float minus = orig - eps;
                tensor.data()[i] = plus;
                double lp = JavaTrainer.loss(spec, w, data, STATS, l2);
                tensor.data()[i] = minus;
                double lm = JavaTrainer.loss(spec, w, data, STATS, l2);
                tensor.data()[i] = orig;
                double numeric = (lp - lm) / ((double) plus - (double) minus);
                double analytic = grad.get(tensor.name()).data()[i];
                double err = Math.abs(analytic - numeric);
                assertTrue(err <= ABS_TOL + REL_TOL * Math.max(Math.abs(analytic), Math.abs(numeric)),
                        tensor.name() + "[" + i + "]: analytic " + analytic + " vs numeric " + numeric);
                checked++;
            }
        }
        assertTrue(checked > 20);
    }

    private static Weights perturbBiases(Weights w) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : w.tensors()) {
            float[] d = t.data().clone();
            if (t.name().startsWith("b")) {
                for (int i = 0; i < d.length; i++) {
                    d[i] = 0.05f * (i % 3 - 1);
                }
            }
            out.add(new Tensor(t.name(), t.shape(), d));
        }
        return new Weights(out);
    }
}
