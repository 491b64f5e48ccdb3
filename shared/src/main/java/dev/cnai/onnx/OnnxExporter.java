package dev.cnai.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import dev.cnai.data.NormStats;
import dev.cnai.training.Architecture;
import dev.cnai.training.Tensor;
import dev.cnai.training.Weights;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.TreeMap;

/**
 * Exports softmax/MLP/CNN weights as a standard ONNX model (opset 17, IR version 8). The graph takes raw features
 * {@code input} float32 [batch, features], normalises them with the training stats, for a CNN reshapes them to
 * [batch, 1, side, side] and applies the Conv/Relu/MaxPool blocks and a Flatten, applies each dense layer
 * (MatMul, Add, Relu on hidden layers) and outputs {@code probabilities} float32 [batch, classes] (Softmax)
 * and {@code label} int64 [batch] (ArgMax).
 */
public final class OnnxExporter {
    /** Name of the graph input. */
    public static final String INPUT = "input";
    /** Name of the probabilities output. */
    public static final String PROBABILITIES = "probabilities";
    /** Name of the predicted-label output. */
    public static final String LABEL = "label";
    static final String PRODUCER = "cnai-functions";
    static final int OPSET = 17;
    static final int IR_VERSION = 8;

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
        int layers = spec.layerSizes(features, classes).length - 1;
        NormStats.require(stats, OnnxException::invalidInput);
        GraphProto.Builder g = GraphProto.newBuilder().setName("cnai_" + spec.family());
        g.addInput(valueInfo(INPUT, TensorProto.DataType.FLOAT, features));
        g.addInitializer(scalar("norm_mean", (float) stats.mean()));
        g.addInitializer(scalar("norm_std", (float) stats.std()));
        g.addNode(node("Sub", "normalize_sub", new String[] {INPUT, "norm_mean"}, "input_centered"));
        g.addNode(node("Div", "normalize_div", new String[] {"input_centered", "norm_std"}, "input_normalized"));
        String x = "input_normalized";
        if (spec instanceof Architecture.Cnn) {
            x = convolutionBlocks(g, spec, w, features, x);
        }
        for (int l = 0; l < layers; l++) {
            Tensor wt = w.get("W" + l);
            Tensor bt = w.get("b" + l);
            g.addInitializer(initializer(wt));
            g.addInitializer(initializer(bt));
            g.addNode(node("MatMul", "matmul_" + l, new String[] {x, wt.name()}, "matmul_" + l));
            String z = l + 1 < layers ? "pre_relu_" + l : "logits";
            g.addNode(node("Add", "add_" + l, new String[] {"matmul_" + l, bt.name()}, z));
            if (l + 1 < layers) {
                g.addNode(node("Relu", "relu_" + l, new String[] {z}, "hidden_" + l));
                x = "hidden_" + l;
            }
        }
        g.addNode(node("Softmax", "softmax", new String[] {"logits"}, PROBABILITIES).toBuilder()
                .addAttribute(intAttribute("axis", -1)).build());
        g.addNode(node("ArgMax", "argmax", new String[] {PROBABILITIES}, LABEL).toBuilder()
                .addAttribute(intAttribute("axis", 1)).addAttribute(intAttribute("keepdims", 0)).build());
        g.addOutput(valueInfo(PROBABILITIES, TensorProto.DataType.FLOAT, classes));
        g.addOutput(valueInfo(LABEL, TensorProto.DataType.INT64, -1));

        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName(PRODUCER)
                .setProducerVersion("1").setModelVersion(1)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET)).setGraph(g);
        if (metadata != null) {
            for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
                m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(e.getKey())
                        .setValue(e.getValue() == null ? "" : e.getValue()));
            }
        }
        return m.build().toByteArray();
    }

    /**
     * Reshape to [batch, 1, side, side], then per block Conv (5×5, no padding) → Relu → MaxPool (2×2, stride 2),
     * then Flatten to [batch, channels × side × side]; returns the name of the flattened value.
     */
    private static String convolutionBlocks(GraphProto.Builder g, Architecture s, Weights w, int features,
            String x) {
        int side = s.imageSides(features)[0];
        g.addInitializer(TensorProto.newBuilder().setName("image_shape").setDataType(TensorProto.DataType.INT64
                .getNumber()).addDims(4).addInt64Data(-1).addInt64Data(1).addInt64Data(side).addInt64Data(side));
        g.addNode(node("Reshape", "to_image", new String[] {x, "image_shape"}, "image"));
        String h = "image";
        for (int i = 0; i < s.conv().size(); i++) {
            Tensor k = w.get("K" + i);
            Tensor c = w.get("c" + i);
            g.addInitializer(initializer(k));
            g.addInitializer(initializer(c));
            g.addNode(node("Conv", "conv_" + i, new String[] {h, k.name(), c.name()}, "conv_" + i).toBuilder()
                    .addAttribute(intsAttribute("kernel_shape", Architecture.KERNEL, Architecture.KERNEL)).build());
            g.addNode(node("Relu", "conv_relu_" + i, new String[] {"conv_" + i}, "conv_relu_" + i));
            g.addNode(node("MaxPool", "pool_" + i, new String[] {"conv_relu_" + i}, "pool_" + i).toBuilder()
                    .addAttribute(intsAttribute("kernel_shape", Architecture.POOL, Architecture.POOL))
                    .addAttribute(intsAttribute("strides", Architecture.POOL, Architecture.POOL)).build());
            h = "pool_" + i;
        }
        g.addNode(node("Flatten", "flatten", new String[] {h}, "flattened").toBuilder()
                .addAttribute(intAttribute("axis", 1)).build());
        return "flattened";
    }

    private static AttributeProto intsAttribute(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    /** A value of shape [batch] (secondDim < 0) or [batch, secondDim]. */
    private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, int secondDim) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        if (secondDim >= 0) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(secondDim));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape))).build();
    }

    private static NodeProto node(String op, String name, String[] inputs, String output) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addOutput(output);
        for (String in : inputs) {
            n.addInput(in);
        }
        return n.build();
    }

    private static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    private static TensorProto scalar(String name, float value) {
        return initializer(new Tensor(name, new int[0], new float[] {value}));
    }

    private static TensorProto initializer(Tensor t) {
        ByteBuffer buf = ByteBuffer.allocate(4 * t.size()).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(t.data());
        TensorProto.Builder b = TensorProto.newBuilder().setName(t.name())
                .setDataType(TensorProto.DataType.FLOAT.getNumber()).setRawData(ByteString.copyFrom(buf.array()));
        for (int d : t.shape()) {
            b.addDims(d);
        }
        return b.build();
    }
}
