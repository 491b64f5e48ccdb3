package dev.cnai.training;

import static dev.cnai.testing.Configs.arch;
import dev.cnai.training.Architecture;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.data.Dataset;
import dev.cnai.data.NormStats;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Checks {@link JavaTrainer#gradient} against central finite differences of {@link JavaTrainer#loss} (computed in
 * double). Tolerance per entry: |analytic - numeric| ≤ 1e-6 + 1e-3 · max(|analytic|, |numeric|).
 */
class GradientCheckTest {
    private static final float EPS = 1e-3f;
    private static final double ABS_TOL = 1e-6;
    private static final double REL_TOL = 1e-3;
    private static final NormStats STATS = new NormStats(0.3, 1.7);

    @Test
    void softmaxGradientMatchesFiniteDifferences() {
        check(arch("softmax", null), TestData.blobs(24, 6, 4, 1.0, 0.0, 3), 0.01);
    }

    @Test
    void mlpGradientMatchesFiniteDifferences() {
        check(arch("mlp", List.of(7, 5)), TestData.blobs(20, 6, 3, 1.0, 0.5, 4), 0.02);
    }

    @Test
    void cnnGradientMatchesFiniteDifferences() {
        check(arch("cnn", List.of(5), List.of(2, 3)), OnnxTrainerTest.images(10, 3, 6), 0.01, 1e-4f);
    }

    private static void check(Architecture spec, Dataset data, double l2) {
        check(spec, data, l2, EPS);
    }

    /** CNNs use a smaller step: a larger one moves pre-activations across ReLU and max-pool kinks. */
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
