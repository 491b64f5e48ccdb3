package dev.cnai.training.impl;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A small builder of ONNX graphs: nodes get unique generated output names, constants become initializers.
 * Node names are deterministic (a counter), so equal build sequences give identical bytes.
 */
public final class Graph {
    public static final int FLOAT = TensorProto.DataType.FLOAT.getNumber();
    public static final int INT64 = TensorProto.DataType.INT64.getNumber();
    public static final int BOOL = TensorProto.DataType.BOOL.getNumber();

    private final GraphProto.Builder g;
    private final String prefix;
    private int counter;

    public Graph(String name, String prefix) {
        this.g = GraphProto.newBuilder().setName(name);
        this.prefix = prefix;
    }

    /** Adds a node with one output; returns its generated name. */
    public String op(String type, String... inputs) {
        return op(type, new AttributeProto[0], inputs);
    }

    /** Adds a node with attributes and one output; returns its generated name. */
    public String op(String type, AttributeProto[] attributes, String... inputs) {
        return ops(type, 1, attributes, inputs)[0];
    }

    /** Adds a node with {@code outputs} outputs; returns their generated names. */
    public String[] ops(String type, int outputs, AttributeProto[] attributes, String... inputs) {
        int id = counter++;
        String[] names = new String[outputs];
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(type).setName(prefix + type + "_" + id);
        for (String in : inputs) {
            n.addInput(in);
        }
        for (int i = 0; i < outputs; i++) {
            names[i] = prefix + type.toLowerCase() + "_" + id + (i == 0 ? "" : "_" + i);
            n.addOutput(names[i]);
        }
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        g.addNode(n);
        return names;
    }

    /** Adds a node writing to a given output name. */
    public void opTo(String output, String type, AttributeProto[] attributes, String... inputs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(type).setName(prefix + type + "_" + counter++)
                .addOutput(output);
        for (String in : inputs) {
            n.addInput(in);
        }
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        g.addNode(n);
    }

    /** A float32 constant of the given shape (an initializer). */
    public String constant(float[] values, long... shape) {
        String name = prefix + "const_" + counter++;
        ByteBuffer buf = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(FLOAT)
                .setRawData(ByteString.copyFrom(buf.array()));
        for (long d : shape) {
            t.addDims(d);
        }
        g.addInitializer(t);
        return name;
    }

    /** A float32 scalar constant. */
    public String scalar(double value) {
        return constant(new float[] {(float) value});
    }

    /** An int64 scalar constant. */
    public String longScalar(long value) {
        String name = prefix + "long_" + counter++;
        ByteBuffer buf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
        g.addInitializer(TensorProto.newBuilder().setName(name).setDataType(INT64)
                .setRawData(ByteString.copyFrom(buf.array())));
        return name;
    }

    /** An int64 1-D constant. */
    public String ints(long... values) {
        String name = prefix + "ints_" + counter++;
        ByteBuffer buf = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.asLongBuffer().put(values);
        g.addInitializer(TensorProto.newBuilder().setName(name).setDataType(INT64).addDims(values.length)
                .setRawData(ByteString.copyFrom(buf.array())));
        return name;
    }

    /** Declares a graph input; dims of -1 are symbolic, an empty shape is a scalar, null leaves the shape open. */
    public void input(String name, int type, long[] shape) {
        g.addInput(valueInfo(name, type, shape));
    }

    /** Declares a graph output. */
    public void output(String name, int type, long[] shape) {
        g.addOutput(valueInfo(name, type, shape));
    }

    public GraphProto build() {
        return g.build();
    }

    public static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    public static AttributeProto attr(String name, double value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT)
                .setF((float) value).build();
    }

    public static AttributeProto attr(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    public static AttributeProto attr(String name, GraphProto body) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.GRAPH).setG(body).build();
    }

    public static AttributeProto[] attrs(AttributeProto... a) {
        return a;
    }

    private static ValueInfoProto valueInfo(String name, int type, long[] shape) {
        TypeProto.Tensor.Builder tt = TypeProto.Tensor.newBuilder().setElemType(type);
        if (shape != null) {
            TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
            int sym = 0;
            for (long d : shape) {
                s.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam(name + "_d" + sym++)
                        : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
            }
            tt.setShape(s);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tt)).build();
    }
}
