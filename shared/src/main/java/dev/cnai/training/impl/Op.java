package dev.cnai.training.impl;

import ai.onnx.proto.OnnxMl.AttributeProto;
import java.util.HashSet;
import java.util.Set;

/**
 * The ONNX operators the graphs use (opset {@value Graph#OPSET}), with the schema {@link Graph#op} checks: input and
 * output counts (an omitted optional input, {@link Graph#NONE}, counts) and the allowed attribute names.
 */
public enum Op {
    ADD("Add", 2, 2, 1, 1),
    ARG_MAX("ArgMax", 1, 1, 1, 1, "axis", "keepdims", "select_last_index"),
    CAST("Cast", 1, 1, 1, 1, "to"),
    CONSTANT_OF_SHAPE("ConstantOfShape", 1, 1, 1, 1, "value"),
    CONV("Conv", 2, 3, 1, 1, "auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"),
    CONV_TRANSPOSE("ConvTranspose", 2, 3, 1, 1, "auto_pad", "dilations", "group", "kernel_shape",
            "output_padding", "output_shape", "pads", "strides"),
    DIV("Div", 2, 2, 1, 1),
    EXP("Exp", 1, 1, 1, 1),
    FLATTEN("Flatten", 1, 1, 1, 1, "axis"),
    GATHER("Gather", 2, 2, 1, 1, "axis"),
    GEMM("Gemm", 2, 3, 1, 1, "alpha", "beta", "transA", "transB"),
    GREATER("Greater", 2, 2, 1, 1),
    IDENTITY("Identity", 1, 1, 1, 1),
    LOG_SOFTMAX("LogSoftmax", 1, 1, 1, 1, "axis"),
    /** Inputs: trip count, condition (either may be {@link Graph#NONE}), then the loop-carried values. */
    LOOP("Loop", 2, Graph.ANY, 1, Graph.ANY, "body"),
    MAT_MUL("MatMul", 2, 2, 1, 1),
    /** Outputs: the pooled values and, optionally, the flat indices of the maxima. */
    MAX_POOL("MaxPool", 1, 1, 1, 2, "auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads",
            "storage_order", "strides"),
    MUL("Mul", 2, 2, 1, 1),
    NEG("Neg", 1, 1, 1, 1),
    POW("Pow", 2, 2, 1, 1),
    RECIPROCAL("Reciprocal", 1, 1, 1, 1),
    REDUCE_SUM("ReduceSum", 1, 2, 1, 1, "keepdims", "noop_with_empty_axes"),
    RELU("Relu", 1, 1, 1, 1),
    RESHAPE("Reshape", 2, 2, 1, 1, "allowzero"),
    SCATTER_ELEMENTS("ScatterElements", 3, 3, 1, 1, "axis", "reduction"),
    SHAPE("Shape", 1, 1, 1, 1, "end", "start"),
    SLICE("Slice", 3, 5, 1, 1),
    SOFTMAX("Softmax", 1, 1, 1, 1, "axis"),
    SQRT("Sqrt", 1, 1, 1, 1),
    SUB("Sub", 2, 2, 1, 1),
    TRANSPOSE("Transpose", 1, 1, 1, 1, "perm"),
    UNSQUEEZE("Unsqueeze", 2, 2, 1, 1),
    WHERE("Where", 3, 3, 1, 1);

    private final String type;
    private final int minInputs;
    private final int maxInputs;
    private final int minOutputs;
    private final int maxOutputs;
    private final Set<String> attributes;

    Op(String type, int minInputs, int maxInputs, int minOutputs, int maxOutputs, String... attributes) {
        this.type = type;
        this.minInputs = minInputs;
        this.maxInputs = maxInputs;
        this.minOutputs = minOutputs;
        this.maxOutputs = maxOutputs;
        this.attributes = Set.of(attributes);
    }

    /** The ONNX op_type. */
    public String type() {
        return type;
    }

    /** Checks a node of this op; throws IllegalArgumentException naming the op when it does not fit. */
    void check(int inputs, int outputs, AttributeProto[] attrs) {
        if (inputs < minInputs || inputs > maxInputs) {
            throw new IllegalArgumentException(type + " takes " + range(minInputs, maxInputs) + " inputs, got "
                    + inputs);
        }
        if (outputs < minOutputs || outputs > maxOutputs) {
            throw new IllegalArgumentException(type + " has " + range(minOutputs, maxOutputs) + " outputs, got "
                    + outputs);
        }
        Set<String> seen = new HashSet<>();
        for (AttributeProto a : attrs) {
            if (!attributes.contains(a.getName())) {
                throw new IllegalArgumentException(type + " has no attribute '" + a.getName() + "'"
                        + (attributes.isEmpty() ? "" : " (allowed: " + String.join(", ",
                                attributes.stream().sorted().toList()) + ")"));
            }
            if (!seen.add(a.getName())) {
                throw new IllegalArgumentException(type + " given attribute '" + a.getName() + "' twice");
            }
        }
    }

    private static String range(int min, int max) {
        return min == max ? String.valueOf(min) : max == Graph.ANY ? min + " or more" : min + " to " + max;
    }
}
