package dev.cnai.training;

import static dev.cnai.testing.Configs.arch;
import static dev.cnai.testing.Configs.opts;
import dev.cnai.events.ClassificationMetrics;
import dev.cnai.training.TrainingConfig;
import dev.cnai.training.Architecture;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.data.Dataset;
import dev.cnai.events.NormStats;
import dev.cnai.errors.ErrorKind;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class JavaTrainerTest {
    private static final NormStats STATS = new NormStats(2.0, 3.0);
    private static final TrainingConfig OPTIONS = opts(null, 3, 16, 0.05, 0.9, 1e-4, null, null);

    @Test
    void softmaxLearnsSeparableBlobs() {
        assertLearns(arch("softmax", null), 5);
    }

    @Test
    void mlpLearnsSeparableBlobs() {
        assertLearns(arch("mlp", List.of(32)), 8);
    }

    private static void assertLearns(Architecture spec, int classes) {
        Dataset train = TestData.blobs(800, 10, classes, 2.5, 2.0, 21);
        Dataset test = TestData.blobs(400, 10, classes, 2.5, 2.0, 21); // same centres (seed), fresh noise below
        test = new Dataset(test.features(), test.classes(), jitter(test.x(), 99), test.y());
        Weights w0 = spec.initialize(10, classes, 1);
        TrainResult r = JavaTrainer.train(spec, w0, train, STATS, OPTIONS, 5);
        assertEquals(800, r.samples());
        ClassificationMetrics before = Metrics.of(test.y(), JavaModel.predictProba(spec, w0, test, STATS), classes);
        ClassificationMetrics after = Metrics.of(test.y(), JavaModel.predictProba(spec, r.weights(), test, STATS),
                classes);
        assertTrue(after.accuracy() > 0.9, "accuracy " + after.accuracy());
        assertTrue(after.loss() < before.loss(), "loss " + before.loss() + " -> " + after.loss());
        assertTrue(r.meanLoss() > 0 && r.meanLoss() < before.loss(), "mean training loss " + r.meanLoss());
    }

    private static float[] jitter(float[] x, long seed) {
        java.util.Random rng = new java.util.Random(seed);
        float[] out = x.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += (float) (0.3 * rng.nextGaussian());
        }
        return out;
    }

    @Test
    void trainingIsDeterministic() {
        Architecture spec = arch("mlp", List.of(16, 8));
        Dataset data = TestData.blobs(300, 12, 4, 1.5, 0.0, 2);
        Weights w0 = spec.initialize(12, 4, 3);
        TrainResult a = JavaTrainer.train(spec, w0, data, STATS, OPTIONS, 77);
        TrainResult b = JavaTrainer.train(spec, w0, data, STATS, OPTIONS, 77);
        assertArrayEquals(a.weights().encode(), b.weights().encode());
        assertEquals(a.meanLoss(), b.meanLoss());
        TrainResult c = JavaTrainer.train(spec, w0, data, STATS, OPTIONS, 78);
        assertFalse(Arrays.equals(a.weights().encode(), c.weights().encode()), "seed changes the shuffle");
    }

    @Test
    void hugeLearningRateDiverges() {
        Architecture spec = arch("mlp", List.of(64, 64));
        Dataset data = TestData.blobs(400, 10, 3, 5.0, 0.0, 2);
        TrainingConfig wild = opts(null, 20, 8, 1e12, 0.9, 0.0, null, null);
        TrainingException e = assertThrows(TrainingException.class, () -> JavaTrainer.train(spec,
                spec.initialize(10, 3, 1), data, STATS, wild, 1));
        assertEquals(ErrorKind.INVALID_INPUT, e.kind());
        assertTrue(e.getMessage().contains("learning rate"), e.getMessage());
    }

    @Test
    void rejectsBadInputs() {
        Architecture spec = arch("softmax", null);
        Dataset data = TestData.blobs(10, 4, 2, 1.0, 0.0, 1);
        Weights w = spec.initialize(4, 2, 1);
        assertThrows(TrainingException.class, () -> JavaTrainer.train(spec, w, data, STATS,
                opts(null, null, 0, null, null, null, null, null), 1));
        assertThrows(TrainingException.class, () -> JavaTrainer.train(spec, w, data, STATS,
                opts(null, null, null, -1.0, null, null, null, null), 1));
        assertThrows(TrainingException.class, () -> JavaTrainer.train(spec, w, data, new NormStats(0, 0), OPTIONS, 1));
        assertEquals(ErrorKind.INTEGRITY, assertThrows(TrainingException.class, () -> JavaTrainer.train(spec,
                spec.initialize(5, 2, 1), data, STATS, OPTIONS, 1)).kind());
        float[] x = data.x().clone();
        x[3] = Float.NaN;
        assertThrows(TrainingException.class, () -> JavaTrainer.train(spec, w, new Dataset(4, 2, x, data.y()),
                STATS, OPTIONS, 1));
        int[] y = data.y().clone();
        y[0] = 2;
        assertThrows(TrainingException.class, () -> JavaTrainer.train(spec, w, new Dataset(4, 2, data.x(), y),
                STATS, OPTIONS, 1));
    }

    @Test
    void probabilitiesSumToOne() {
        Architecture spec = arch("mlp", List.of(6));
        Dataset data = TestData.blobs(7, 3, 4, 1.0, 0.0, 1);
        float[] p = JavaModel.predictProba(spec, spec.initialize(3, 4, 2), data, STATS);
        assertEquals(28, p.length);
        for (int r = 0; r < 7; r++) {
            double s = 0;
            for (int k = 0; k < 4; k++) {
                s += p[r * 4 + k];
            }
            assertEquals(1.0, s, 1e-6);
        }
    }
}
