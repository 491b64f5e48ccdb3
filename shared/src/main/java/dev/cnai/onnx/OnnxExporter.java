package dev.cnai.onnx;

import static dev.cnai.training.impl.Graph.attr;
import static dev.cnai.training.impl.Graph.attrs;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import dev.cnai.events.NormStats;
import dev.cnai.training.Architecture;
import dev.cnai.training.Tensor;
import dev.cnai.training.Weights;
import dev.cnai.training.impl.Graph;
import dev.cnai.training.impl.Op;
import dev.cnai.training.impl.Graph.Value;
import dev.cnai.training.impl.Layout;
import dev.cnai.training.impl.Network;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Exports softmax/MLP/CNN weights as a standard ONNX model (opset {@value Graph#OPSET}, IR version
 * {@value Graph#IR_VERSION}), built with the training engine's {@link Graph} builder and {@link Network}'s forward
 * pass in row-major inference mode: the graph takes raw features {@code input} float32 [batch, features],
 * normalises them with the training stats ({@code (x - norm_mean) / norm_std}), runs the forward pass with the
 * weights as initializers (for a CNN Reshape to [batch, 1, side, side], Conv/Relu/MaxPool blocks and a Flatten;
 * then one Gemm {@code x·W + b} per dense layer, Relu on hidden layers) and outputs {@code probabilities} float32
 * [batch, classes] (Softmax) and {@code label} int64 [batch] (ArgMax).
 */
public final class OnnxExporter {
    /** Name of the graph input. */
    public static final String INPUT = "input";
    /** Name of the probabilities output. */
    public static final String PROBABILITIES = "probabilities";
    /** Name of the predicted-label output. */
    public static final String LABEL = "label";
    static final String PRODUCER = "cnai-functions";
    /** The symbolic batch dimension of the input and outputs. */
    static final String BATCH = "batch";

    private OnnxExporter() {
    }

    /**
     * Builds the serialised ModelProto. Equal arguments give identical bytes; metadata entries are written in
     * key order.
     *
     * @param metadata free-form {@code metadata_props}; may be null
     * @throws dev.cnai.training.TrainingException when the spec is invalid or the weights do not fit it
     * @throws OnnxException                       when the stats cannot be represented
     */
    public static byte[] export(Architecture spec, Weights w, NormStats stats, int features, int classes,
            Map<String, String> metadata) {
        spec.checkWeights(w, features, classes);
        NormStats.require(stats, OnnxException::invalidInput);
        Layout layout = Layout.of(spec, features, classes);
        Graph g = new Graph("cnai_" + spec.family(), "");
        Value input = g.input(INPUT, Graph.FLOAT, new long[] {-1, features}, BATCH);
        Value mean = g.initializer("norm_mean", new float[] {(float) stats.mean()});
        Value std = g.initializer("norm_std", new float[] {(float) stats.std()});
        Map<String, Value> params = new LinkedHashMap<>();
        for (String name : layout.parameters().keySet()) {
            Tensor t = w.get(name);
            params.put(name, g.initializer(t.name(), t.data(), dims(t.shape())));
        }
        Value logits = Network.logits(layout, g, params, g.op(Op.DIV, g.op(Op.SUB, input, mean), std));
        Value probabilities = g.opTo(PROBABILITIES, Op.SOFTMAX, attrs(attr("axis", -1)), logits);
        Value label = g.opTo(LABEL, Op.ARG_MAX, attrs(attr("axis", 1), attr("keepdims", 0)), probabilities);
        g.output(probabilities, Graph.FLOAT, new long[] {-1, classes}, BATCH);
        g.output(label, Graph.INT64, new long[] {-1}, BATCH);

        ModelProto.Builder m = g.model(PRODUCER).setModelVersion(1);
        if (metadata != null) {
            for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
                m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(e.getKey())
                        .setValue(e.getValue() == null ? "" : e.getValue()));
            }
        }
        return m.build().toByteArray();
    }

    private static long[] dims(int[] shape) {
        long[] d = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            d[i] = shape[i];
        }
        return d;
    }
}
