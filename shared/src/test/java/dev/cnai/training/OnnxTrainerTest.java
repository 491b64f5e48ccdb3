package dev.cnai.training;

import static dev.cnai.testing.Configs.arch;
import static dev.cnai.testing.Configs.opts;
import dev.cnai.training.TrainingConfig;
import dev.cnai.training.Architecture;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cnai.data.Dataset;
import dev.cnai.events.NormStats;
import dev.cnai.training.impl.Providers;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ONNX Runtime engine against the plain-Java oracle and finite differences.
 *
 * <p>Tolerances: softmax/MLP/CNN gradients (float32 graph vs the double reference, itself checked against
 * central differences in {@link GradientCheckTest}) agree per entry within {@code 1e-5 + 1e-3·|g|}; one SGD step
 * (lr 0.1, no momentum) from the same weights gives parameters within {@code 1e-5 + 1e-4·|w|} of the reference.
 * Independently, CNN gradients agree with central differences of the graph's own loss (ε = 3e-3, float32)
 * within {@code 2e-3 + 5e-2·|g|} on every checked entry (up to 12 entries per tensor).
 */
class OnnxTrainerTest {
    private static final NormStats STATS = new NormStats(0.3, 1.7);

    static Stream<GradientCase> cases() {
        return Stream.concat(GradientCase.dense(),
                Stream.of(new GradientCase("cnn", arch("cnn", List.of(6), List.of(3, 4)), images(12, 3, 9), 0.01)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientMatchesJavaReference(GradientCase c) {
        matchesJava(c.spec(), c.data(), c.l2());
    }

    @Test
    void oneSgdStepMatchesJavaReference() {
        sgdStep(arch("mlp", List.of(16)), TestData.blobs(40, 6, 3, 1.0, 0.5, 5));
        sgdStep(arch("cnn", null, List.of(4)), images(40, 3, 5));
    }

    @Test
    void epochsWithMomentumTrackJavaReference() {
        // same shuffle, same batches: float32 ONNX Runtime and the double reference stay close over 3 epochs
        Architecture spec = arch("mlp", List.of(16));
        Dataset data = TestData.blobs(100, 6, 3, 1.0, 0.5, 6);
        Weights w0 = spec.initialize(6, 3, 8);
        // momentum 0 is plain SGD, which the engine runs as one Gemm per weight with no optimiser state
        for (double momentum : new double[] {0.9, 0.0}) {
            TrainingConfig o = opts(1, 3, 16, 0.05, momentum, 1e-3, 1, 1L);
            TrainResult java = JavaTrainer.train(spec, w0, data, STATS, o, 5);
            try (OnnxTrainer engine = OnnxTrainer.create(spec, 6, 3, o, 2)) {
                TrainResult onnx = engine.train(w0, data, STATS, 5);
                assertClose(java.weights(), onnx.weights(), 1e-4, 1e-3);
                assertEquals(java.meanLoss(), onnx.meanLoss(), 1e-5);
            }
        }
    }

    @Test
    void augmentedEpochsTrackJavaReference() {
        // both engines draw the same shifts: with augmentation on, they still train on the same images
        Architecture spec = arch("cnn", null, List.of(3));
        Dataset data = images(60, 3, 13);
        Weights w0 = spec.initialize(data.features(), data.classes(), 8);
        TrainingConfig o = opts(1, 3, 16, 0.05, 0.9, 1e-3, 1, 1L, null, null, null, null, null, null, 2);
        TrainingConfig plain = opts(1, 3, 16, 0.05, 0.9, 1e-3, 1, 1L);
        TrainResult java = JavaTrainer.train(spec, w0, data, STATS, o, 5);
        try (OnnxTrainer engine = OnnxTrainer.create(spec, data.features(), data.classes(), o, 2)) {
            TrainResult onnx = engine.train(w0, data, STATS, 5);
            assertClose(java.weights(), onnx.weights(), 1e-4, 1e-3);
            assertEquals(java.meanLoss(), onnx.meanLoss(), 1e-5);
            assertNotEquals(JavaTrainer.train(spec, w0, data, STATS, plain, 5).meanLoss(), onnx.meanLoss());
        }
    }

    @Test
    void threadTuningNeverChangesTheWeights() {
        // tuning runs epochs on 1 or 2 threads by measurement; it stays on only where both give the same bytes,
        // and turns itself off where they round differently
        Dataset data = TestData.blobs(520, 400, 10, 1.0, 0.5, 11);
        for (Architecture spec : List.of(arch("mlp", List.of(128)), arch("softmax", null))) {
            Weights w0 = spec.initialize(data.features(), data.classes(), 3);
            for (String optimizer : List.of("sgd", "adam")) {
                TrainingConfig o = opts(1, 3, 64, 0.01, 0.9, 1e-4, 1, 1L, optimizer, null, null, "onnx",
                        "cpu");
                Weights one;
                try (OnnxTrainer engine = OnnxTrainer.create(spec, data.features(), data.classes(), o, 1, false)) {
                    one = engine.train(w0, data, STATS, 9).weights();
                }
                Weights two;
                try (OnnxTrainer engine = OnnxTrainer.create(spec, data.features(), data.classes(), o, 2, false)) {
                    two = engine.train(w0, data, STATS, 9).weights();
                }
                // here the MLP agrees and the softmax does not; which shapes do depends on the CPU's kernels
                boolean threadsAgree = bytes(one).equals(bytes(two));
                try (OnnxTrainer engine = OnnxTrainer.create(spec, data.features(), data.classes(), o, 2, true)) {
                    for (int call = 0; call < 4; call++) { // 12 epochs: both sessions run (probe, measurements)
                        Weights tuned = engine.train(w0, data, STATS, 9).weights();
                        assertEquals(bytes(two), bytes(tuned), spec.family() + " " + optimizer + " call " + call);
                    }
                    assertTrue(threadsAgree || engine.threadsInUse() == 2);
                }
            }
        }
    }

    private static String bytes(Weights w) {
        StringBuilder sb = new StringBuilder();
        for (Tensor t : w.tensors()) {
            for (float f : t.data()) {
                sb.append(Integer.toHexString(Float.floatToRawIntBits(f))).append(' ');
            }
        }
        return sb.toString();
    }

    /** One batch holding every row, no momentum: w1 = w0 - lr·(∇loss + l2·W) whatever the shuffle. */
    private static void sgdStep(Architecture spec, Dataset data) {
        Weights w0 = spec.initialize(data.features(), data.classes(), 7);
        TrainingConfig one = opts(1, 1, data.rows(), 0.1, 0.0, 0.01, 1, 1L);
        Weights java = JavaTrainer.train(spec, w0, data, STATS, one, 3).weights();
        try (OnnxTrainer engine = OnnxTrainer.create(spec, data.features(), data.classes(), one, 1)) {
            assertClose(java, engine.train(w0, data, STATS, 3).weights(), 1e-5, 1e-4);
        }
    }

    @Test
    void cnnGradientMatchesFiniteDifferences() {
        Architecture spec = arch("cnn", List.of(6), List.of(3, 4));
        Dataset data = images(12, 3, 9);
        Weights w = perturb(spec.initialize(data.features(), data.classes(), 5), 21);
        double l2 = 0.01;
        try (OnnxTrainer engine = OnnxTrainer.create(spec, data.features(), data.classes(), TrainingConfig.DEFAULTS, 1)) {
            Weights grad = GradientProbe.lossAndGradient(engine, w, data, STATS, l2).gradient();
            Random pick = new Random(1);
            int checked = 0;
            for (Tensor t : w.tensors()) {
                Tensor g = grad.get(t.name());
                for (int k = 0; k < Math.min(12, t.size()); k++) {
                    int i = t.size() <= 12 ? k : pick.nextInt(t.size());
                    float orig = t.data()[i];
                    float eps = 3e-3f;
                    t.data()[i] = orig + eps;
                    double lp = GradientProbe.lossAndGradient(engine, w, data, STATS, l2).loss();
                    t.data()[i] = orig - eps;
                    double lm = GradientProbe.lossAndGradient(engine, w, data, STATS, l2).loss();
                    t.data()[i] = orig;
                    double numeric = (lp - lm) / (2 * eps);
                    double analytic = g.data()[i];
                    assertTrue(Math.abs(analytic - numeric) <= 2e-3 + 5e-2 * Math.abs(analytic),
                            t.name() + "[" + i + "]: analytic " + analytic + " vs numeric " + numeric);
                    checked++;
                }
            }
            assertTrue(checked > 50);
        }
    }

    @Test
    void sgdAndAdamLearnEveryFamily() {
        Dataset blobs = images(300, 3, 8);
        for (Architecture spec : List.of(arch("softmax", null), arch("mlp", List.of(32)),
                arch("cnn", null, List.of(4)))) {
            for (String optimizer : List.of("sgd", "adam")) {
                TrainingConfig o = opts(1, 5, 16, optimizer.equals("adam") ? 0.01 : 0.05, 0.9, 1e-4, 1, 1L,
                        optimizer, null, null, null, "cpu");
                Weights w0 = spec.initialize(400, 3, 2);
                try (OnnxTrainer engine = OnnxTrainer.create(spec, 400, 3, o, 1)) {
                    TrainResult r = engine.train(w0, blobs, new NormStats(0, 1), 4);
                    float[] p = predictions(spec, r.weights(), blobs);
                    double acc = accuracy(p, blobs);
                    assertTrue(acc > 0.9, spec.family() + "/" + optimizer + " accuracy " + acc);
                    assertTrue(r.meanLoss() < 0.5, spec.family() + "/" + optimizer + " loss " + r.meanLoss());
                }
            }
        }
    }

    @Test
    void sameSeedGivesIdenticalWeights() {
        Architecture spec = arch("cnn", List.of(8), List.of(4, 4));
        Dataset data = images(70, 4, 12);
        Weights w0 = spec.initialize(data.features(), data.classes(), 3);
        TrainingConfig o = opts(1, 2, 16, 0.05, 0.9, 1e-4, 1, 1L);
        try (OnnxTrainer engine = OnnxTrainer.create(spec, data.features(), data.classes(), o, 2)) {
            byte[] a = engine.train(w0, data, STATS, 9).weights().encode();
            byte[] b = engine.train(w0, data, STATS, 9).weights().encode();
            byte[] c = engine.train(w0, data, STATS, 10).weights().encode();
            assertArrayEquals(a, b);
            assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(c));
        }
    }

    @Test
    void rejectsBadOptionsAndMissingCuda() {
        Architecture spec = arch("softmax", null);
        assertThrows(TrainingException.class, () -> OnnxTrainer.create(spec, 4, 2,
                opts(1, 1, 8, 0.1, 0.9, 0.0, 1, 1L, "rmsprop", null, null, null, "cpu"), 1));
        assertThrows(TrainingException.class, () -> OnnxTrainer.create(spec, 4, 2,
                opts(1, 1, 8, 0.1, 0.9, 0.0, 1, 1L, null, null, null, null, "tpu"), 1));
        assertThrows(TrainingException.class, () -> OnnxTrainer.create(arch("cnn", null), 10, 2, TrainingConfig.DEFAULTS, 1));
        if (Providers.cudaUnavailable().isPresent()) {
            // a CPU build says to build with -Pgpu; a GPU build without CUDA libraries says the provider did not load
            TrainingException e = assertThrows(TrainingException.class, () -> OnnxTrainer.create(spec, 4, 2,
                    opts(1, 1, 8, 0.1, 0.9, 0.0, 1, 1L, null, null, null, null, "cuda"), 1));
            assertTrue(e.getMessage().contains("-Pgpu") || e.getMessage().contains("the CUDA provider did not load"),
                    e.getMessage());
            try (OnnxTrainer auto = OnnxTrainer.create(spec, 4, 2, TrainingConfig.DEFAULTS, 1)) {
                assertEquals("cpu", auto.provider());
            }
        }
    }

    @Test
    void cudaTrainsLikeTheCpu() {
        assumeTrue(Providers.cudaUnavailable().isEmpty(), () -> "no usable CUDA provider: "
                + Providers.cudaUnavailable().orElse("") + " (build with -Pgpu on a machine with a GPU)");
        Architecture spec = arch("cnn", List.of(8), List.of(4, 4));
        Dataset data = images(64, 3, 13);
        Weights w0 = spec.initialize(data.features(), data.classes(), 3);
        Weights cpu;
        Weights cuda;
        TrainingConfig base = opts(1, 2, 16, 0.05, 0.9, 1e-4, 1, 1L);
        try (OnnxTrainer e = OnnxTrainer.create(spec, data.features(), data.classes(), withProvider(base, "cpu"), 1)) {
            cpu = e.train(w0, data, STATS, 4).weights();
        }
        try (OnnxTrainer e = OnnxTrainer.create(spec, data.features(), data.classes(), withProvider(base, "cuda"), 1)) {
            assertEquals("cuda", e.provider());
            cuda = e.train(w0, data, STATS, 4).weights();
            assertArrayEquals(cuda.encode(), e.train(w0, data, STATS, 4).weights().encode(), "deterministic on CUDA");
        }
        assertClose(cpu, cuda, 1e-4, 1e-3);
    }

    private static TrainingConfig withProvider(TrainingConfig o, String provider) {
        return new TrainingConfig(o.rounds(), o.localEpochs(), o.batchSize(), o.learningRate(), o.l2(),
                o.patience(), o.seed(), o.optimizer(), o.engine(), Provider.parse(provider), o.lrDecay(), o.augment());
    }

    private static void matchesJava(Architecture spec, Dataset data, double l2) {
        Weights w = perturb(spec.initialize(data.features(), data.classes(), 11), 2);
        Weights java = JavaTrainer.gradient(spec, w, data, STATS, l2);
        try (OnnxTrainer engine = OnnxTrainer.create(spec, data.features(), data.classes(), TrainingConfig.DEFAULTS, 1)) {
            GradientProbe.LossAndGradient onnx = GradientProbe.lossAndGradient(engine, w, data, STATS, l2);
            assertEquals(JavaTrainer.loss(spec, w, data, STATS, l2), onnx.loss(), 1e-5);
            assertClose(java, onnx.gradient(), 1e-5, 1e-3);
        }
    }

    static void assertClose(Weights expected, Weights actual, double abs, double rel) {
        for (Tensor e : expected.tensors()) {
            Tensor a = actual.get(e.name());
            assertArrayEquals(e.shape(), a.shape());
            for (int i = 0; i < e.size(); i++) {
                double d = Math.abs(e.data()[i] - a.data()[i]);
                assertTrue(d <= abs + rel * Math.abs(e.data()[i]),
                        e.name() + "[" + i + "]: expected " + e.data()[i] + ", got " + a.data()[i]);
            }
        }
    }

    /** Non-zero biases so that their gradient path is exercised away from the initial point. */
    private static Weights perturb(Weights w, long seed) {
        Random rng = new Random(seed);
        for (Tensor t : w.tensors()) {
            if (t.shape().length == 1) {
                for (int i = 0; i < t.size(); i++) {
                    t.data()[i] = (float) (0.1 * rng.nextGaussian());
                }
            }
        }
        return w;
    }

    /** Random 20×20 images whose class decides which quadrant is bright. */
    static Dataset images(int rows, int classes, long seed) {
        Random rng = new Random(seed);
        int side = 20;
        float[] x = new float[rows * side * side];
        int[] y = new int[rows];
        for (int r = 0; r < rows; r++) {
            y[r] = r % classes;
            for (int i = 0; i < side * side; i++) {
                int quadrant = (i / side >= side / 2 ? 2 : 0) + (i % side >= side / 2 ? 1 : 0);
                x[r * side * side + i] = (float) ((quadrant == y[r] % 4 ? 1.0 : 0.0) + 0.3 * rng.nextGaussian());
            }
        }
        return new Dataset(side * side, classes, x, y);
    }

    private static float[] predictions(Architecture spec, Weights w, Dataset data) {
        byte[] onnx = dev.cnai.onnx.OnnxExporter.export(spec, w, new NormStats(0, 1), data.features(), data.classes(),
                null);
        try (dev.cnai.onnx.OnnxModel m = dev.cnai.onnx.OnnxModel.load(onnx, 1)) {
            return m.predict(data.x(), data.rows()).probabilities();
        }
    }

    private static double accuracy(float[] p, Dataset d) {
        int ok = 0;
        for (int r = 0; r < d.rows(); r++) {
            int best = 0;
            for (int k = 1; k < d.classes(); k++) {
                if (p[r * d.classes() + k] > p[r * d.classes() + best]) {
                    best = k;
                }
            }
            ok += best == d.y()[r] ? 1 : 0;
        }
        return (double) ok / d.rows();
    }
}
