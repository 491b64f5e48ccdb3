package dev.cnai.functions.infer.bench;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.cnai.data.Dataset;
import dev.cnai.data.ShardCodec;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.cnai.registry.ModelPush;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.Registries;
import dev.cnai.serving.OipCodec;
import dev.cnai.serving.OipRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/**
 * Helpers of {@code scripts/bench-infer.sh}, run on the infer jar's classpath:
 * <ul>
 * <li>{@code oip-body STORE OUT}: the first held-out test digit of the last run in the object store as an OIP
 *     request body;</li>
 * <li>{@code make-cnn REGISTRY NAME}: registers a CNN-shaped MNIST classifier (random seeded weights; the
 *     trainer has no CNN family yet) as a new version tagged production;</li>
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
     * input [N, 784] → Reshape [N,1,28,28] → Conv 1→16 3×3 → Relu → MaxPool 2 → Conv 16→32 3×3 → Relu → MaxPool 2
     * → Flatten [N, 1568] → MatMul + Add → probabilities (Softmax) [N, 10], label (ArgMax) [N].
     */
    static void makeCnn(ModelRegistry registry, String name) {
        Random rnd = new Random(7);
        GraphProto.Builder g = GraphProto.newBuilder().setName("cnai_cnn_bench");
        g.addInput(value("input", TensorProto.DataType.FLOAT, 784));
        g.addInitializer(int64s("shape_img", new long[] {-1, 1, 28, 28}));
        g.addInitializer(floats("w1", new long[] {16, 1, 3, 3}, rnd, 1.0 / 3));
        g.addInitializer(floats("b1", new long[] {16}, rnd, 0.01));
        g.addInitializer(floats("w2", new long[] {32, 16, 3, 3}, rnd, 1.0 / 12));
        g.addInitializer(floats("b2", new long[] {32}, rnd, 0.01));
        g.addInitializer(floats("w3", new long[] {1568, 10}, rnd, 1.0 / 40));
        g.addInitializer(floats("b3", new long[] {10}, rnd, 0.01));
        g.addNode(node("Reshape", new String[] {"input", "shape_img"}, "img"));
        g.addNode(node("Conv", new String[] {"img", "w1", "b1"}, "c1").toBuilder()
                .addAttribute(ints("pads", 1, 1, 1, 1)).addAttribute(ints("kernel_shape", 3, 3)).build());
        g.addNode(node("Relu", new String[] {"c1"}, "r1"));
        g.addNode(node("MaxPool", new String[] {"r1"}, "p1").toBuilder().addAttribute(ints("kernel_shape", 2, 2))
                .addAttribute(ints("strides", 2, 2)).build());
        g.addNode(node("Conv", new String[] {"p1", "w2", "b2"}, "c2").toBuilder()
                .addAttribute(ints("pads", 1, 1, 1, 1)).addAttribute(ints("kernel_shape", 3, 3)).build());
        g.addNode(node("Relu", new String[] {"c2"}, "r2"));
        g.addNode(node("MaxPool", new String[] {"r2"}, "p2").toBuilder().addAttribute(ints("kernel_shape", 2, 2))
                .addAttribute(ints("strides", 2, 2)).build());
        g.addNode(node("Flatten", new String[] {"p2"}, "flat"));
        g.addNode(node("MatMul", new String[] {"flat", "w3"}, "mm"));
        g.addNode(node("Add", new String[] {"mm", "b3"}, "logits"));
        g.addNode(node("Softmax", new String[] {"logits"}, "probabilities").toBuilder()
                .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT)
                        .setI(-1)).build());
        g.addNode(node("ArgMax", new String[] {"probabilities"}, "label").toBuilder()
                .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT)
                        .setI(1))
                .addAttribute(AttributeProto.newBuilder().setName("keepdims").setType(AttributeProto.AttributeType.INT)
                        .setI(0)).build());
        g.addOutput(value("probabilities", TensorProto.DataType.FLOAT, 10));
        g.addOutput(value("label", TensorProto.DataType.INT64, -1));
        byte[] onnx = ModelProto.newBuilder().setIrVersion(8).setProducerName("cnai-bench").setModelVersion(1)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).setGraph(g).build()
                .toByteArray();
        var v = registry.push(new ModelPush(name, "bench-cnn", onnx, "sha256:" + "0".repeat(64),
                Map.of("family", "cnn-bench"), Map.of(), "2026-01-01T00:00:00Z"));
        registry.tag(name, v.version(), "production");
        System.out.println(name + " " + v.version() + " " + v.modelDigest());
    }

    private static ValueInfoProto value(String name, TensorProto.DataType type, int second) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        if (second >= 0) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(second));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(s))).build();
    }

    private static NodeProto node(String op, String[] in, String out) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(out).addOutput(out);
        for (String i : in) {
            n.addInput(i);
        }
        return n.build();
    }

    private static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    private static TensorProto int64s(String name, long[] v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(v);
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64.getNumber())
                .addDims(v.length).setRawData(ByteString.copyFrom(b.array())).build();
    }

    private static TensorProto floats(String name, long[] dims, Random rnd, double scale) {
        int n = 1;
        for (long d : dims) {
            n *= (int) d;
        }
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat((float) (rnd.nextGaussian() * scale));
        }
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber())
                .setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }
}
