package dev.cnai.training.impl;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The one builder of the project's ONNX graphs (training, gradient checks and exported inference models): nodes
 * get unique generated output names, constants become initializers. Every node is checked against its
 * {@link Op}'s schema (input and output counts, attribute names) when it is added. Node names are deterministic
 * (a counter), so equal build sequences give identical bytes.
 */
public final class Graph {
    /** The ONNX operator set every graph imports (default domain). */
    public static final int OPSET = 17;
    /** The ONNX IR version of every model. */
    public static final int IR_VERSION = 8;
    public static final int FLOAT = TensorProto.DataType.FLOAT.getNumber();
    public static final int INT64 = TensorProto.DataType.INT64.getNumber();
    public static final int BOOL = TensorProto.DataType.BOOL.getNumber();
    /** An omitted optional input (the empty name). */
    public static final Value NONE = new Value("");

    /** An unbounded input or output count in an {@link Op} schema. */
    static final int ANY = Integer.MAX_VALUE;

    /** A value of a graph, by name: a graph input, an initializer or a node output (or one of an outer graph). */
    public record Value(String name) {
        public Value {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final GraphProto.Builder g;
    private final String prefix;
    private int counter;

    /** @param prefix prepended to every generated node and value name (keeps a Loop body's names apart) */
    public Graph(String name, String prefix) {
        this.g = GraphProto.newBuilder().setName(name);
        this.prefix = prefix;
    }

    /** Adds a node with one output; returns it. */
    public Value op(Op op, Value... inputs) {
        return op(op, new AttributeProto[0], inputs);
    }

    /** Adds a node with attributes and one output; returns it. */
    public Value op(Op op, AttributeProto[] attributes, Value... inputs) {
        return ops(op, 1, attributes, inputs).get(0);
    }

    /** Adds a node with {@code outputs} outputs; returns them in order. */
    public List<Value> ops(Op op, int outputs, AttributeProto[] attributes, Value... inputs) {
        int id = counter++;
        List<Value> values = new ArrayList<>(outputs);
        for (int i = 0; i < outputs; i++) {
            values.add(new Value(prefix + op.type().toLowerCase() + "_" + id + (i == 0 ? "" : "_" + i)));
        }
        node(op, prefix + op.type() + "_" + id, attributes, inputs, values);
        return values;
    }

    /** Adds a node writing to a given output name; returns that output. */
    public Value opTo(String output, Op op, AttributeProto[] attributes, Value... inputs) {
        Value out = new Value(output);
        node(op, prefix + op.type() + "_" + counter++, attributes, inputs, List.of(out));
        return out;
    }

    private void node(Op op, String name, AttributeProto[] attributes, Value[] inputs, List<Value> outputs) {
        op.check(inputs.length, outputs.size(), attributes);
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op.type()).setName(name);
        for (Value in : inputs) {
            n.addInput(in.name());
        }
        for (Value out : outputs) {
            n.addOutput(out.name());
        }
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        g.addNode(n);
    }

    /** A float32 constant of the given shape (an initializer with a generated name). */
    public Value constant(float[] values, long... shape) {
        return initializer(prefix + "const_" + counter++, values, shape);
    }

    /** A named float32 initializer of the given shape (no dims: a scalar). */
    public Value initializer(String name, float[] values, long... shape) {
        ByteBuffer buf = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(FLOAT)
                .setRawData(ByteString.copyFrom(buf.array()));
        for (long d : shape) {
            t.addDims(d);
        }
        g.addInitializer(t);
        return new Value(name);
    }

    /** A float32 scalar constant. */
    public Value scalar(double value) {
        return constant(new float[] {(float) value});
    }

    /** An int64 scalar constant. */
    public Value longScalar(long value) {
        String name = prefix + "long_" + counter++;
        ByteBuffer buf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
        g.addInitializer(TensorProto.newBuilder().setName(name).setDataType(INT64)
                .setRawData(ByteString.copyFrom(buf.array())));
        return new Value(name);
    }

    /** An int64 1-D constant. */
    public Value ints(long... values) {
        String name = prefix + "ints_" + counter++;
        ByteBuffer buf = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.asLongBuffer().put(values);
        g.addInitializer(TensorProto.newBuilder().setName(name).setDataType(INT64).addDims(values.length)
                .setRawData(ByteString.copyFrom(buf.array())));
        return new Value(name);
    }

    /**
     * Declares a graph input; dims of -1 are symbolic (named {@code <name>_d<i>}), an empty shape is a scalar,
     * null leaves the shape open.
     */
    public Value input(String name, int type, long[] shape) {
        return input(name, type, shape, null);
    }

    /** Declares a graph input whose symbolic (-1) dims are all named {@code symbol} (e.g. {@code batch}). */
    public Value input(String name, int type, long[] shape, String symbol) {
        g.addInput(valueInfo(name, type, shape, symbol));
        return new Value(name);
    }

    /** Declares a graph output (shapes as for {@link #input(String, int, long[])}). */
    public void output(Value value, int type, long[] shape) {
        output(value, type, shape, null);
    }

    /** Declares a graph output whose symbolic (-1) dims are all named {@code symbol}. */
    public void output(Value value, int type, long[] shape, String symbol) {
        g.addOutput(valueInfo(value.name(), type, shape, symbol));
    }

    public GraphProto build() {
        return g.build();
    }

    /**
     * A model of this graph: IR version {@value #IR_VERSION}, opset {@value #OPSET} of the default domain,
     * producer version 1. Callers add what else they need (model version, metadata).
     */
    public ModelProto.Builder model(String producer) {
        return ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName(producer).setProducerVersion("1")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET)).setGraph(build());
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

    private static ValueInfoProto valueInfo(String name, int type, long[] shape, String symbol) {
        TypeProto.Tensor.Builder tt = TypeProto.Tensor.newBuilder().setElemType(type);
        if (shape != null) {
            TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
            int sym = 0;
            for (long d : shape) {
                s.addDim(d >= 0 ? TensorShapeProto.Dimension.newBuilder().setDimValue(d)
                        : TensorShapeProto.Dimension.newBuilder()
                                .setDimParam(symbol != null ? symbol : name + "_d" + sym++));
            }
            tt.setShape(s);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tt)).build();
    }
}
