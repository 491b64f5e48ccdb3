package dev.cnai.training.impl;

import static dev.cnai.training.impl.Op.ADD;
import static dev.cnai.training.impl.Op.CAST;
import static dev.cnai.training.impl.Op.CONSTANT_OF_SHAPE;
import static dev.cnai.training.impl.Op.CONV;
import static dev.cnai.training.impl.Op.CONV_TRANSPOSE;
import static dev.cnai.training.impl.Op.DIV;
import static dev.cnai.training.impl.Op.EXP;
import static dev.cnai.training.impl.Op.FLATTEN;
import static dev.cnai.training.impl.Op.GATHER;
import static dev.cnai.training.impl.Op.GEMM;
import static dev.cnai.training.impl.Op.GREATER;
import static dev.cnai.training.impl.Op.LOG_SOFTMAX;
import static dev.cnai.training.impl.Op.MAX_POOL;
import static dev.cnai.training.impl.Op.MUL;
import static dev.cnai.training.impl.Op.NEG;
import static dev.cnai.training.impl.Op.REDUCE_SUM;
import static dev.cnai.training.impl.Op.RELU;
import static dev.cnai.training.impl.Op.RESHAPE;
import static dev.cnai.training.impl.Op.SCATTER_ELEMENTS;
import static dev.cnai.training.impl.Op.SHAPE;
import static dev.cnai.training.impl.Op.SUB;
import static dev.cnai.training.impl.Op.TRANSPOSE;
import static dev.cnai.training.impl.Op.WHERE;
import static dev.cnai.training.impl.Graph.attr;
import static dev.cnai.training.impl.Graph.attrs;

import ai.onnx.proto.OnnxMl.AttributeProto;
import dev.cnai.training.impl.Graph.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Emits the forward pass, the softmax cross-entropy and the hand-derived backward pass of a model into a
 * {@link Graph}. Forward: [Reshape → (Conv → Relu → MaxPool)×k → Flatten] → (Gemm → Relu)×h → Gemm.
 * Backward uses only standard operators: Gemm with transposes for dense layers, Where for the ReLU mask,
 * ScatterElements on MaxPool's indices for unpooling, ConvTranspose for the input gradient of a convolution and
 * a Conv over batch-transposed tensors for its kernel gradient.
 *
 * <p>A dense-only model (softmax regression, MLP) runs <b>feature-major</b>: activations are [features, rows],
 * weights are held as Wᵀ [out, in] and biases as [out, 1] (see {@link #inner}), so that every product reads its
 * weight as the un-transposed left operand and packs only the 64-row mini-batch. Row-major, the forward product
 * x·W packs the whole 784×256 weight in every step. A CNN keeps the row-major layout.
 *
 * <p>The exported inference model runs the same forward pass row-major for every family ({@link #logits}): there
 * each dense layer is one Gemm {@code x·W + b} of the parameters in their own shapes, and MaxPool emits no indices.
 */
public final class Network {
    private final Layout layout;
    private final Graph g;
    private final Map<String, Value> params;
    private final List<Value> denseInputs = new ArrayList<>();
    private final List<Value> blockInputs = new ArrayList<>();
    private final List<Value> blockRelu = new ArrayList<>();
    private final List<Value> blockIndices = new ArrayList<>();
    private final boolean featureMajor;
    /** Whether {@link #backward} may follow (then MaxPool also emits the indices of its maxima). */
    private final boolean training;
    private Value lastPooled;
    private Value zero;

    /**
     * A training network, in the layout of {@link #featureMajor(Layout)}.
     *
     * @param params parameter name (W0, b0, K0, ...) → its value in {@code g}, in the network's layout
     *               ({@link #inner})
     */
    Network(Layout layout, Graph g, Map<String, Value> params) {
        this(layout, g, params, featureMajor(layout), true);
    }

    private Network(Layout layout, Graph g, Map<String, Value> params, boolean featureMajor, boolean training) {
        this.layout = layout;
        this.g = g;
        this.params = params;
        this.featureMajor = featureMajor;
        this.training = training;
    }

    /**
     * The inference forward pass: row-major logits [m, classes] of {@code x} [m, features] (already normalised),
     * the parameters in their own shapes ([in, out] weights, [out] biases, [out, in, k, k] kernels).
     *
     * @param params parameter name (W0, b0, K0, ...) → its value in {@code g}
     */
    public static Value logits(Layout layout, Graph g, Map<String, Value> params, Value x) {
        return new Network(layout, g, params, false, false).forward(x);
    }

    /** Whether a model runs feature-major (dense-only models). */
    static boolean featureMajor(Layout layout) {
        return !layout.cnn();
    }

    /**
     * A parameter-shaped value ([in, out] weights, [out] biases, and their optimiser state) in the layout the
     * network computes with: Wᵀ and [out, 1] when feature-major; unchanged otherwise and for scalars.
     */
    static Value inner(Graph g, Layout layout, String parameter, Value value) {
        return convert(g, layout, parameter, value, true);
    }

    /** The inverse of {@link #inner}: back to the parameter's own shape. */
    static Value outer(Graph g, Layout layout, String parameter, Value value) {
        return convert(g, layout, parameter, value, false);
    }

    private static Value convert(Graph g, Layout layout, String parameter, Value value, boolean in) {
        int[] shape = parameter == null ? null : layout.parameters().get(parameter);
        if (!featureMajor(layout) || shape == null) {
            return value;
        }
        if (shape.length == 2) {
            return g.op(TRANSPOSE, attrs(attr("perm", 1, 0)), value);
        }
        return g.op(RESHAPE, value, in ? g.ints(shape[0], 1) : g.ints(shape[0]));
    }

    /** Logits of inputs {@code x} [m, features]: [m, classes], or [classes, m] feature-major. */
    Value forward(Value x) {
        Value h = x;
        if (layout.cnn()) {
            int side = layout.sides()[0];
            h = g.op(RESHAPE, h, g.ints(-1, 1, side, side));
            for (int i = 0; i < layout.conv().length; i++) {
                blockInputs.add(h);
                Value z = g.op(CONV, attrs(attr("kernel_shape", layout.kernel(), layout.kernel())), h,
                        params.get("K" + i), params.get("c" + i));
                Value a = g.op(RELU, z);
                List<Value> pooled = g.ops(MAX_POOL, training ? 2 : 1, attrs(attr("kernel_shape", layout.pool(), layout.pool()),
                        attr("strides", layout.pool(), layout.pool())), a);
                blockRelu.add(a);
                if (training) {
                    blockIndices.add(pooled.get(1));
                }
                h = pooled.get(0);
            }
            lastPooled = h;
            h = g.op(FLATTEN, attrs(attr("axis", 1)), h);
        }
        int layers = layout.dense().length - 1;
        for (int l = 0; l < layers; l++) {
            denseInputs.add(h);
            // one Gemm with the bias as C: ONNX Runtime does not fuse MatMul + Add inside the Loop body
            Value w = params.get("W" + l);
            Value b = params.get("b" + l);
            Value z = !featureMajor ? g.op(GEMM, h, w, b)
                    : l == 0 ? g.op(GEMM, attrs(attr("transB", 1)), w, h, b) : g.op(GEMM, w, h, b);
            h = l + 1 < layers ? g.op(RELU, z) : z;
        }
        return h;
    }

    /**
     * The loss of a batch: {@code sum}, the summed cross-entropy (a scalar), and {@code dLogits}, its gradient
     * {@code (softmax - y) / m} with respect to the logits, in the layout of {@link #forward}'s logits.
     */
    record Loss(Value sum, Value dLogits) {
    }

    /** Summed cross-entropy and its logits-gradient for logits and one-hot y, both in the network's layout. */
    Loss softmaxCrossEntropy(Value logits, Value y) {
        Value logp = g.op(LOG_SOFTMAX, attrs(attr("axis", featureMajor ? 0 : -1)), logits);
        Value loss = g.op(NEG, g.op(REDUCE_SUM, attrs(attr("keepdims", 0)), g.op(MUL, y, logp)));
        Value rows = g.op(CAST, attrs(attr("to", (long) Graph.FLOAT)),
                g.op(GATHER, attrs(attr("axis", 0)), g.op(SHAPE, logits), g.longScalar(featureMajor ? 1 : 0)));
        Value dlogits = g.op(DIV, g.op(SUB, g.op(EXP, logp), y), rows);
        return new Loss(loss, dlogits);
    }

    /**
     * A parameter's gradient before it is emitted. {@link #weight} is the parameter when L2 decay applies to it
     * (weights, not biases), else null.
     */
    sealed interface Gradient permits GemmGradient, ValueGradient {
        Value weight();
    }

    /**
     * A dense weight's gradient as the product {@code op(a)·op(b)}, {@code op} transposing when {@code transA} /
     * {@code transB}: not yet emitted, so that the optimiser can fold its update into that one Gemm.
     */
    record GemmGradient(Value a, boolean transA, Value b, boolean transB, Value weight) implements Gradient {
    }

    /** A gradient already emitted as {@code value}. */
    record ValueGradient(Value value, Value weight) implements Gradient {
    }

    /**
     * Gradients of the loss whose logits-gradient is {@code d}, without the L2 term; parameter name → gradient, in
     * the layout's parameter order. Emit them with {@link #scaled}.
     */
    Map<String, Gradient> backward(Value d) {
        if (!training) {
            throw new IllegalStateException("an inference network has no backward pass");
        }
        Map<String, Gradient> grads = new LinkedHashMap<>();
        int layers = layout.dense().length - 1;
        Value delta = d;
        for (int l = layers - 1; l >= 0; l--) {
            Value w = params.get("W" + l);
            Value in = denseInputs.get(l);
            if (featureMajor) {
                // dWᵀ = δᵀ·in (the network's input x is row-major [m, features], later inputs [features, m])
                grads.put("W" + l, new GemmGradient(delta, false, in, l > 0, w));
                grads.put("b" + l, new ValueGradient(
                        g.op(REDUCE_SUM, attrs(attr("keepdims", 1)), delta, g.ints(1)), null));
            } else {
                grads.put("W" + l, new GemmGradient(in, true, delta, false, w));
                grads.put("b" + l, new ValueGradient(
                        g.op(REDUCE_SUM, attrs(attr("keepdims", 0)), delta, g.ints(0)), null));
            }
            if (l > 0 || layout.cnn()) {
                Value back = featureMajor ? g.op(GEMM, attrs(attr("transA", 1)), w, delta)
                        : g.op(GEMM, attrs(attr("transB", 1)), delta, w);
                delta = l > 0 ? relu(in, back) : back;
            }
        }
        if (layout.cnn()) {
            Value dPooled = g.op(RESHAPE, delta, g.op(SHAPE, lastPooled));
            for (int i = layout.conv().length - 1; i >= 0; i--) {
                Value a = blockRelu.get(i);
                Value flatA = g.op(RESHAPE, a, g.ints(-1));
                Value unpooled = g.op(SCATTER_ELEMENTS, attrs(attr("axis", 0)),
                        g.op(CONSTANT_OF_SHAPE, g.op(SHAPE, flatA)),
                        g.op(RESHAPE, blockIndices.get(i), g.ints(-1)), g.op(RESHAPE, dPooled, g.ints(-1)));
                Value dz = relu(a, g.op(RESHAPE, unpooled, g.op(SHAPE, a)));
                Value k = params.get("K" + i);
                Value gk = g.op(TRANSPOSE, attrs(attr("perm", 1, 0, 2, 3)),
                        g.op(CONV, transpose01(blockInputs.get(i)), transpose01(dz)));
                grads.put("K" + i, new ValueGradient(gk, k));
                grads.put("c" + i, new ValueGradient(
                        g.op(REDUCE_SUM, attrs(attr("keepdims", 0)), dz, g.ints(0, 2, 3)), null));
                if (i > 0) {
                    dPooled = g.op(CONV_TRANSPOSE, dz, k);
                }
            }
        }
        Map<String, Gradient> ordered = new LinkedHashMap<>();
        for (String name : layout.parameters().keySet()) {
            ordered.put(name, grads.get(name));
        }
        return ordered;
    }

    /**
     * Emits {@code alpha·(gradient + l2·W) + beta·c} ({@code c} null: no such term). For a dense weight the
     * gradient, {@code alpha} and {@code beta·c} are one Gemm ({@code alpha·aᵀ·b + beta·c}), so an optimiser that
     * accumulates into its state pays one pass over the weight for the decay term instead of four element-wise
     * passes: on the MLP these passes over the 784×256 weight, not the matrix products, dominate a step.
     */
    Value scaled(Gradient gr, double l2, double alpha, Value c, double beta) {
        Value decay = gr.weight() == null || l2 == 0 ? null : g.op(MUL, gr.weight(), g.scalar(alpha * l2));
        Value t;
        if (gr instanceof GemmGradient p) {
            AttributeProto transA = attr("transA", p.transA() ? 1 : 0);
            AttributeProto transB = attr("transB", p.transB() ? 1 : 0);
            t = c == null ? g.op(GEMM, attrs(transA, transB, attr("alpha", alpha)), p.a(), p.b())
                    : g.op(GEMM, attrs(transA, transB, attr("alpha", alpha), attr("beta", beta)), p.a(), p.b(), c);
            return decay == null ? t : g.op(ADD, t, decay);
        }
        Value value = ((ValueGradient) gr).value();
        t = alpha == 1 ? value : g.op(MUL, value, g.scalar(alpha));
        if (decay != null) {
            t = g.op(ADD, t, decay);
        }
        return c == null ? t : g.op(ADD, t, beta == 1 ? c : g.op(MUL, c, g.scalar(beta)));
    }

    /** {@code l2/2 × Σ W²} over the weight tensors (not biases). */
    Value penalty(double l2) {
        Value sum = null;
        for (String name : layout.parameters().keySet()) {
            if (Layout.isWeight(name)) {
                Value p = params.get(name);
                Value s = g.op(REDUCE_SUM, attrs(attr("keepdims", 0)), g.op(MUL, p, p));
                sum = sum == null ? s : g.op(ADD, sum, s);
            }
        }
        return g.op(MUL, sum, g.scalar(0.5 * l2));
    }

    private Value relu(Value activation, Value upstream) {
        if (zero == null) {
            zero = g.scalar(0);
        }
        return g.op(WHERE, g.op(GREATER, activation, zero), upstream, zero);
    }

    private Value transpose01(Value x) {
        return g.op(TRANSPOSE, attrs(attr("perm", 1, 0, 2, 3)), x);
    }
}
