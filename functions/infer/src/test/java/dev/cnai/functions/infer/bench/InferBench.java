package dev.cnai.functions.infer.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.cnai.data.Dataset;
import dev.cnai.events.NormStats;
import dev.cnai.data.ShardCodec;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cnai.onnx.OnnxExporter;
import dev.cnai.registry.ModelPush;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.Registries;
import dev.cnai.serving.OipCodec;
import dev.cnai.serving.OipRequest;
import dev.cnai.training.Architecture;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Helpers of {@code scripts/bench-infer.sh}, run on the infer jar's classpath:
 * <ul>
 * <li>{@code oip-body STORE OUT}: the first held-out test digit of the last run in the object store as an OIP
 *     request body;</li>
 * <li>{@code make-cnn REGISTRY NAME}: registers the CNN family's ONNX export (conv 16/32, dense 128; seeded
 *     untrained weights) as a new version tagged production;</li>
 * <li>{@code floor REGISTRY NAME BODY SECONDS}: the bare ONNX Runtime floor for that model, pulled from the
 *     registry like infer does, one intra-op thread: tensor creation + {@code session.run} + reading both
 *     outputs, batch 1 (p50, p99 µs), and rows/s at batch 1 to 64. Prints one JSON line.</li>
 * </ul>
 */
public final class InferBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private InferBench() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "oip-body" -> oipBody(Path.of(args[1]), Path.of(args[2]));
            case "make-cnn" -> makeCnn(Registries.open(args[1]), args[2]);
            case "floor" -> floor(Registries.open(args[1]), args[2], Path.of(args[3]), Double.parseDouble(args[4]));
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    /** The first held-out test digit of the newest run in the object store, as an OIP request body. */
    static void oipBody(Path store, Path out) throws Exception {
        Path test;
        try (var runs = Files.list(store.resolve("runs"))) {
            test = runs.map(r -> r.resolve("data/test.bin")).filter(Files::exists)
                    .max(java.util.Comparator.comparing(p -> p.toFile().lastModified())).orElseThrow();
        }
        Dataset d = ShardCodec.decode(Files.readAllBytes(test));
        var body = JSON.createObjectNode();
        var in = body.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        in.putArray("shape").add(1).add(d.features());
        var data = in.putArray("data");
        for (int i = 0; i < d.features(); i++) {
            data.add(d.x()[i]);
        }
        Files.write(out, JSON.writeValueAsBytes(body));
        System.err.println("test digit, true label " + d.y()[0]);
    }

    static void floor(ModelRegistry registry, String name, Path body, double seconds) throws Exception {
        OipRequest req = OipCodec.parse(Files.readAllBytes(body));
        byte[] onnx = registry.pull(name, "production").onnx();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(onnx, options)) {
                String input = session.getInputNames().iterator().next();
                float[] one = req.data();
                float[] batch = new float[64 * one.length];
                for (int i = 0; i < 64; i++) {
                    System.arraycopy(one, 0, batch, i * one.length, one.length);
                }
                long end = System.nanoTime() + (long) (seconds * 0.2e9);
                while (System.nanoTime() < end) {
                    run(env, session, input, one, 1);
                }
                long[] lat = new long[2_000_000];
                int n = 0;
                end = System.nanoTime() + (long) (seconds * 0.5e9);
                while (n < lat.length && System.nanoTime() < end) {
                    long t = System.nanoTime();
                    run(env, session, input, one, 1);
                    lat[n++] = System.nanoTime() - t;
                }
                Arrays.sort(lat, 0, n);
                StringBuilder sweep = new StringBuilder();
                for (int b : new int[] {1, 4, 8, 16, 32, 64}) {
                    float[] xs = Arrays.copyOf(batch, b * one.length);
                    int calls = 0;
                    long t0 = System.nanoTime();
                    end = t0 + (long) (seconds * 0.05e9);
                    while (System.nanoTime() < end) {
                        run(env, session, input, xs, b);
                        calls++;
                    }
                    sweep.append(sweep.length() == 0 ? "" : ",").append('"').append(b).append("\":")
                            .append(Math.round(calls * b / ((System.nanoTime() - t0) / 1e9)));
                }
                System.out.printf("{\"model\":\"%s\",\"batch1_runs\":%d,\"batch1_p50_us\":%.1f,\"batch1_p99_us\":%.1f,"
                        + "\"rows_per_s_by_batch\":{%s}}%n", name, n, lat[n / 2] / 1e3, lat[(int) (n * 0.99)] / 1e3, sweep);
            }
        }
    }

    private static void run(OrtEnvironment env, OrtSession session, String input, float[] x, int rows)
            throws Exception {
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {rows, x.length / rows});
                OrtSession.Result r = session.run(Map.of(input, t))) {
            float[] p = new float[rows * 10];
            ((OnnxTensor) r.get("probabilities").orElseThrow()).getFloatBuffer().get(p);
            long[] l = new long[rows];
            ((OnnxTensor) r.get("label").orElseThrow()).getLongBuffer().get(l);
        }
    }

    /**
     * Registers the pipeline's CNN as infer serves it: {@link OnnxExporter} output for the CNN family with the
     * configuration that reaches 97.8 % on MNIST (conv 5×5 16 → max-pool → conv 5×5 32 → max-pool → dense 128 →
     * 10), normalisation folded in, seeded initial weights (throughput does not depend on their values, and the
     * benchmark does not wait for a CNN training run).
     */
    static void makeCnn(ModelRegistry registry, String name) {
        Architecture spec = Architecture.cnn(List.of(16, 32), List.of(128));
        byte[] onnx = OnnxExporter.export(spec, spec.initialize(784, 10, 7), new NormStats(33.32, 78.57),
                784, 10, Map.of("family", "cnn", "purpose", "benchmark; untrained weights"));
        var v = registry.push(new ModelPush(name, "bench-cnn", onnx, "sha256:" + "0".repeat(64),
                Map.of("family", "cnn-bench"), Map.of(), "2026-01-01T00:00:00Z"));
        registry.tag(name, v.version(), "production");
        System.out.println(name + " " + v.version() + " " + v.modelDigest());
    }
}
