package dev.cnai.training.impl;

import static dev.cnai.training.impl.Graph.attr;
import static dev.cnai.training.impl.Graph.attrs;

import ai.onnx.proto.OnnxMl.AttributeProto;
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
 */
final class Network {
    private final Layout layout;
    private final Graph g;
    private final Map<String, String> params;
    private final List<String> denseInputs = new ArrayList<>();
    private final List<String> blockInputs = new ArrayList<>();
    private final List<String> blockRelu = new ArrayList<>();
    private final List<String> blockIndices = new ArrayList<>();
    private final boolean featureMajor;
    private String lastPooled;
    private String zero;

    /** @param params parameter name (W0, b0, K0, ...) → value name in {@code g} */
    Network(Layout layout, Graph g, Map<String, String> params) {
        this.layout = layout;
        this.g = g;
        this.params = params;
        this.featureMajor = featureMajor(layout);
    }

    /** Whether a model runs feature-major (dense-only models). */
    static boolean featureMajor(Layout layout) {
        return !layout.cnn();
    }

    /**
     * A parameter-shaped value ([in, out] weights, [out] biases, and their optimiser state) in the layout the
     * network computes with: Wᵀ and [out, 1] when feature-major; unchanged otherwise and for scalars.
     */
    static String inner(Graph g, Layout layout, String parameter, String value) {
        return convert(g, layout, parameter, value, true);
    }

    /** The inverse of {@link #inner}: back to the parameter's own shape. */
    static String outer(Graph g, Layout layout, String parameter, String value) {
        return convert(g, layout, parameter, value, false);
    }

    private static String convert(Graph g, Layout layout, String parameter, String value, boolean in) {
        int[] shape = parameter == null ? null : layout.parameters().get(parameter);
        if (!featureMajor(layout) || shape == null) {
            return value;
        }
        if (shape.length == 2) {
            return g.op("Transpose", attrs(attr("perm", 1, 0)), value);
        }
        return g.op("Reshape", value, in ? g.ints(shape[0], 1) : g.ints(shape[0]));
    }

    /** Logits of inputs {@code x} [m, features]: [m, classes], or [classes, m] feature-major. */
    String forward(String x) {
        String h = x;
        if (layout.cnn()) {
            int side = layout.sides()[0];
            h = g.op("Reshape", h, g.ints(-1, 1, side, side));
            for (int i = 0; i < layout.conv().length; i++) {
                blockInputs.add(h);
                String z = g.op("Conv", attrs(attr("kernel_shape", layout.kernel(), layout.kernel())), h,
                        params.get("K" + i), params.get("c" + i));
                String a = g.op("Relu", z);
                String[] pooled = g.ops("MaxPool", 2, attrs(attr("kernel_shape", layout.pool(), layout.pool()),
                        attr("strides", layout.pool(), layout.pool())), a);
                blockRelu.add(a);
                blockIndices.add(pooled[1]);
                h = pooled[0];
            }
            lastPooled = h;
            h = g.op("Flatten", attrs(attr("axis", 1)), h);
        }
        int layers = layout.dense().length - 1;
        for (int l = 0; l < layers; l++) {
            denseInputs.add(h);
            // one Gemm with the bias as C: ONNX Runtime does not fuse MatMul + Add inside the Loop body
            String w = params.get("W" + l);
            String b = params.get("b" + l);
            String z = !featureMajor ? g.op("Gemm", h, w, b)
                    : l == 0 ? g.op("Gemm", attrs(attr("transB", 1)), w, h, b) : g.op("Gemm", w, h, b);
            h = l + 1 < layers ? g.op("Relu", z) : z;
        }
        return h;
    }

    /**
     * Summed cross-entropy (a scalar) and its gradient {@code (softmax - y) / m} for logits and one-hot y, both in
     * the layout of {@link #forward}'s logits.
     */
    String[] softmaxCrossEntropy(String logits, String y) {
        String logp = g.op("LogSoftmax", attrs(attr("axis", featureMajor ? 0 : -1)), logits);
        String loss = g.op("Neg", g.op("ReduceSum", attrs(attr("keepdims", 0)), g.op("Mul", y, logp)));
        String rows = g.op("Cast", attrs(attr("to", (long) Graph.FLOAT)),
                g.op("Gather", attrs(attr("axis", 0)), g.op("Shape", logits), g.longScalar(featureMajor ? 1 : 0)));
        String dlogits = g.op("Div", g.op("Sub", g.op("Exp", logp), y), rows);
        return new String[] {loss, dlogits};
    }

    /**
     * A parameter's gradient before it is emitted: {@code op(a)·op(b)} for a dense weight, {@code op} transposing
     * when {@code transA} / {@code transB} (so that the optimiser can fold its update into that one Gemm),
     * otherwise an emitted {@code value}; {@code weight} is the parameter when L2 decay applies to it (weights, not
     * biases), else null.
     */
    record Gradient(String a, boolean transA, String b, boolean transB, String value, String weight) {
        static Gradient of(String value, String weight) {
            return new Gradient(null, false, null, false, value, weight);
        }
    }

    /**
     * Gradients of the loss whose logits-gradient is {@code d}, without the L2 term; parameter name → gradient, in
     * the layout's parameter order. Emit them with {@link #scaled}.
     */
    Map<String, Gradient> backward(String d) {
        Map<String, Gradient> grads = new LinkedHashMap<>();
        int layers = layout.dense().length - 1;
        String delta = d;
        for (int l = layers - 1; l >= 0; l--) {
            String w = params.get("W" + l);
            String in = denseInputs.get(l);
            if (featureMajor) {
                // dWᵀ = δᵀ·in (the network's input x is row-major [m, features], later inputs [features, m])
                grads.put("W" + l, new Gradient(delta, false, in, l > 0, null, w));
                grads.put("b" + l, Gradient.of(
                        g.op("ReduceSum", attrs(attr("keepdims", 1)), delta, g.ints(1)), null));
            } else {
                grads.put("W" + l, new Gradient(in, true, delta, false, null, w));
                grads.put("b" + l, Gradient.of(
                        g.op("ReduceSum", attrs(attr("keepdims", 0)), delta, g.ints(0)), null));
            }
            if (l > 0 || layout.cnn()) {
                String back = featureMajor ? g.op("Gemm", attrs(attr("transA", 1)), w, delta)
                        : g.op("Gemm", attrs(attr("transB", 1)), delta, w);
                delta = l > 0 ? relu(in, back) : back;
            }
        }
        if (layout.cnn()) {
            String dPooled = g.op("Reshape", delta, g.op("Shape", lastPooled));
            for (int i = layout.conv().length - 1; i >= 0; i--) {
                String a = blockRelu.get(i);
                String flatA = g.op("Reshape", a, g.ints(-1));
                String unpooled = g.op("ScatterElements", attrs(attr("axis", 0)),
                        g.op("ConstantOfShape", g.op("Shape", flatA)),
                        g.op("Reshape", blockIndices.get(i), g.ints(-1)), g.op("Reshape", dPooled, g.ints(-1)));
                String dz = relu(a, g.op("Reshape", unpooled, g.op("Shape", a)));
                String k = params.get("K" + i);
                String gk = g.op("Transpose", attrs(attr("perm", 1, 0, 2, 3)),
                        g.op("Conv", transpose01(blockInputs.get(i)), transpose01(dz)));
                grads.put("K" + i, Gradient.of(gk, k));
                grads.put("c" + i, Gradient.of(
                        g.op("ReduceSum", attrs(attr("keepdims", 0)), dz, g.ints(0, 2, 3)), null));
                if (i > 0) {
                    dPooled = g.op("ConvTranspose", dz, k);
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
    String scaled(Gradient gr, double l2, double alpha, String c, double beta) {
        String decay = gr.weight() == null || l2 == 0 ? null : g.op("Mul", gr.weight(), g.scalar(alpha * l2));
        String t;
        if (gr.value() == null) {
            AttributeProto transA = attr("transA", gr.transA() ? 1 : 0);
            AttributeProto transB = attr("transB", gr.transB() ? 1 : 0);
            t = c == null ? g.op("Gemm", attrs(transA, transB, attr("alpha", alpha)), gr.a(), gr.b())
                    : g.op("Gemm", attrs(transA, transB, attr("alpha", alpha), attr("beta", beta)), gr.a(),
                            gr.b(), c);
            return decay == null ? t : g.op("Add", t, decay);
        }
        t = alpha == 1 ? gr.value() : g.op("Mul", gr.value(), g.scalar(alpha));
        if (decay != null) {
            t = g.op("Add", t, decay);
        }
        return c == null ? t : g.op("Add", t, beta == 1 ? c : g.op("Mul", c, g.scalar(beta)));
    }

    /** {@code l2/2 × Σ W²} over the weight tensors (not biases). */
    String penalty(double l2) {
        String sum = null;
        for (String name : layout.parameters().keySet()) {
            if (Layout.isWeight(name)) {
                String p = params.get(name);
                String s = g.op("ReduceSum", attrs(attr("keepdims", 0)), g.op("Mul", p, p));
                sum = sum == null ? s : g.op("Add", sum, s);
            }
        }
        return g.op("Mul", sum, g.scalar(0.5 * l2));
    }

    private String relu(String activation, String upstream) {
        if (zero == null) {
            zero = g.scalar(0);
        }
        return g.op("Where", g.op("Greater", activation, zero), upstream, zero);
    }

    private String transpose01(String x) {
        return g.op("Transpose", attrs(attr("perm", 1, 0, 2, 3)), x);
    }
}
