package dev.cnai.training.impl;

import static dev.cnai.training.impl.Graph.attr;
import static dev.cnai.training.impl.Graph.attrs;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import dev.cnai.training.Optimizer;
import dev.cnai.training.TrainingConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generates the ONNX graphs the engine runs.
 *
 * <p>The <b>epoch graph</b> trains one pass over a resident shard in a single {@code session.run}: inputs
 * {@code x} [n, features] (raw), {@code norm_mean} and {@code norm_std} (scalars; the graph normalises each
 * gathered mini-batch), {@code y} [n, classes] (one-hot), {@code perm} int64 [n] (the epoch's shuffle),
 * {@code steps} int64 scalar, every parameter, the optimiser state ({@code v_*} for SGD with momentum, held as
 * the last step {@code -lr·v}, none for momentum 0; {@code m_*}, {@code s_*} and the step counter {@code t} for
 * Adam). An ONNX {@code Loop} runs {@code steps} mini-batches; each gathers rows {@code perm[i·B, i·B+B)} (the
 * last batch may be short), runs forward, loss, backward and the optimiser update, and carries parameters, state
 * and the summed loss to the next iteration. Outputs: {@code out_<name>} for every parameter and state tensor, and
 * {@code loss_sum}. A dense-only model runs feature-major inside the loop (see {@link Network}): its weights and
 * state are transposed on the way in and back on the way out, and its labels are gathered from {@code y}'s
 * transpose; inputs and outputs keep the parameters' own shapes.
 *
 * <p>The <b>gradient graph</b> maps {@code x}, the normalisation, {@code y} and the parameters to {@code loss}
 * (mean cross-entropy plus {@code l2/2 Σ W²}) and {@code grad_<name>} for every parameter: the graph used by
 * gradient checks.
 */
public final class TrainingGraphs {
    public static final String X = "x";
    /** Scalar inputs: the normalisation applied to {@code x} inside the graph, {@code (x - mean) / std}. */
    public static final String MEAN = "norm_mean";
    public static final String STD = "norm_std";
    public static final String Y = "y";
    /** The one-hot labels transposed, [classes, n]: made once per run for a feature-major model. */
    static final String Y_T = "y_t";
    /** {@code 1 / norm_std}, made once per run: the loop multiplies by it instead of dividing. */
    static final String INV_STD = "norm_inv_std";
    public static final String PERM = "perm";
    public static final String STEPS = "steps";
    public static final String STEP_COUNTER = "t";
    public static final String LOSS_SUM = "loss_sum";
    public static final String LOSS = "loss";
    static final int OPSET = 17;
    static final int IR_VERSION = 8;
    static final double ADAM_EPSILON = 1e-8;

    private TrainingGraphs() {
    }

    /** Names of the optimiser state tensors of a parameter, in feed order (none for SGD without momentum). */
    public static List<String> stateNames(TrainingConfig o, String parameter) {
        if (o.optimizer() instanceof Optimizer.Adam) {
            return List.of("m_" + parameter, "s_" + parameter);
        }
        return ((Optimizer.Sgd) o.optimizer()).momentum() == 0 ? List.of() : List.of("v_" + parameter);
    }

    /** Every loop-carried value besides the summed loss: parameters, then state, then (Adam) the step counter. */
    public static List<String> carried(Layout layout, TrainingConfig o) {
        List<String> names = new ArrayList<>(layout.parameters().keySet());
        for (String p : layout.parameters().keySet()) {
            names.addAll(stateNames(o, p));
        }
        if (o.optimizer() instanceof Optimizer.Adam) {
            names.add(STEP_COUNTER);
        }
        return names;
    }

    /** Serialised epoch graph for a model and (defaulted) training options. */
    public static byte[] epoch(Layout layout, TrainingConfig o) {
        List<String> carried = carried(layout, o);
        Graph body = new Graph("minibatch_step", "s_");
        body.input("iter", Graph.INT64, new long[0]);
        body.input("cond_in", Graph.BOOL, new long[0]);
        Map<String, String> in = new LinkedHashMap<>();
        for (String name : carried) {
            body.input("in_" + name, Graph.FLOAT, null);
            in.put(name, "in_" + name);
        }
        body.input("in_" + LOSS_SUM, Graph.FLOAT, new long[0]);

        String batch = body.ints(o.batchSize());
        String start = body.op("Mul", body.op("Unsqueeze", "iter", body.ints(0)), batch);
        String rows = body.op("Slice", PERM, start, body.op("Add", start, batch), body.ints(0));
        // normalise the gathered rows, not the shard: 64 cache-resident rows per step instead of two extra passes
        // over the whole shard per run
        String xb = normalise(body, body.op("Gather", attrs(attr("axis", 0)), X, rows));
        boolean featureMajor = Network.featureMajor(layout);
        // feature-major, the one-hot labels are gathered from their transpose [classes, n] (made once per run)
        String yb = featureMajor ? body.op("Gather", attrs(attr("axis", 1)), Y_T, rows)
                : body.op("Gather", attrs(attr("axis", 0)), Y, rows);
        Map<String, String> params = new LinkedHashMap<>();
        for (String p : layout.parameters().keySet()) {
            params.put(p, in.get(p));
        }
        Network net = new Network(layout, body, params);
        String[] lossAndDelta = net.softmaxCrossEntropy(net.forward(xb), yb);
        Map<String, Network.Gradient> grads = net.backward(lossAndDelta[1]);

        body.opTo("cond_out", "Identity", attrs(), "cond_in");
        body.output("cond_out", Graph.BOOL, new long[0]);
        Map<String, String> next = update(body, net, layout, o, in, grads);
        for (String name : carried) {
            // Loop body outputs are positional: declaring the update's own value as the output avoids a copy
            body.output(next.get(name), Graph.FLOAT, null);
        }
        body.opTo("next_" + LOSS_SUM, "Add", attrs(), "in_" + LOSS_SUM, lossAndDelta[0]);
        body.output("next_" + LOSS_SUM, Graph.FLOAT, new long[0]);

        Graph main = new Graph("cnai_train_epoch", "");
        main.input(X, Graph.FLOAT, new long[] {-1, layout.features()});
        main.input(MEAN, Graph.FLOAT, new long[0]);
        main.input(STD, Graph.FLOAT, new long[0]);
        main.input(Y, Graph.FLOAT, new long[] {-1, layout.classes()});
        main.input(PERM, Graph.INT64, new long[] {-1});
        main.input(STEPS, Graph.INT64, new long[0]);
        main.opTo(INV_STD, "Reciprocal", attrs(), STD);
        // the network's weights and state enter the loop in its layout (feature-major: Wᵀ, biases [out, 1]) and
        // leave it in theirs: two transposes per run instead of packing W in every step
        if (featureMajor) {
            main.opTo(Y_T, "Transpose", attrs(attr("perm", 1, 0)), Y);
        }
        List<String> loopInputs = new ArrayList<>(List.of(STEPS, ""));
        for (String name : carried) {
            main.input(name, Graph.FLOAT, shape(layout, name));
            loopInputs.add(Network.inner(main, layout, parameterOf(name), name));
        }
        loopInputs.add(main.scalar(0));
        List<String> outputs = new ArrayList<>();
        for (String name : carried) {
            outputs.add("out_" + name);
        }
        outputs.add(LOSS_SUM);
        String[] loopOut = main.ops("Loop", outputs.size(), attrs(attr("body", body.build())),
                loopInputs.toArray(String[]::new));
        for (int i = 0; i < outputs.size(); i++) {
            String name = i < carried.size() ? carried.get(i) : null;
            String value = name == null ? loopOut[i] : Network.outer(main, layout, parameterOf(name), loopOut[i]);
            main.opTo(outputs.get(i), "Identity", attrs(), value);
            main.output(outputs.get(i), Graph.FLOAT, name == null ? new long[0] : shape(layout, name));
        }
        return model(main);
    }

    /** Serialised gradient graph (loss and gradients, no update) for gradient checks. */
    public static byte[] gradient(Layout layout, double l2) {
        Graph g = new Graph("cnai_gradient", "");
        g.input(X, Graph.FLOAT, new long[] {-1, layout.features()});
        g.input(MEAN, Graph.FLOAT, new long[0]);
        g.input(STD, Graph.FLOAT, new long[0]);
        g.input(Y, Graph.FLOAT, new long[] {-1, layout.classes()});
        Map<String, String> params = new LinkedHashMap<>();
        for (String p : layout.parameters().keySet()) {
            g.input(p, Graph.FLOAT, shape(layout, p));
            params.put(p, Network.inner(g, layout, p, p));
        }
        Network net = new Network(layout, g, params);
        String y = Network.featureMajor(layout) ? g.op("Transpose", attrs(attr("perm", 1, 0)), Y) : Y;
        g.opTo(INV_STD, "Reciprocal", attrs(), STD);
        String[] lossAndDelta = net.softmaxCrossEntropy(net.forward(normalise(g, X)), y);
        Map<String, String> grads = new LinkedHashMap<>();
        net.backward(lossAndDelta[1]).forEach((p, gr) -> grads.put(p,
                Network.outer(g, layout, p, net.scaled(gr, l2, 1, null, 0))));
        String rows = g.op("Cast", attrs(attr("to", (long) Graph.FLOAT)),
                g.op("Gather", attrs(attr("axis", 0)), g.op("Shape", X), g.longScalar(0)));
        g.opTo(LOSS, "Add", attrs(), g.op("Div", lossAndDelta[0], rows), net.penalty(l2));
        g.output(LOSS, Graph.FLOAT, new long[0]);
        for (Map.Entry<String, String> e : grads.entrySet()) {
            g.opTo("grad_" + e.getKey(), "Identity", attrs(), e.getValue());
            g.output("grad_" + e.getKey(), Graph.FLOAT, shape(layout, e.getKey()));
        }
        return model(g);
    }

    /**
     * {@code (x - mean) · (1 / std)} in the graph ({@link #INV_STD} made once): the shard is uploaded raw (one bulk
     * copy), where normalising it in Java cost ~100 ms per call while that loop still runs interpreted in a young
     * process.
     */
    private static String normalise(Graph g, String x) {
        return g.op("Mul", g.op("Sub", x, MEAN), INV_STD);
    }

    /** The optimiser step: new value name of every carried tensor. */
    private static Map<String, String> update(Graph g, Network net, Layout layout, TrainingConfig o,
            Map<String, String> in, Map<String, Network.Gradient> grads) {
        Map<String, String> next = new LinkedHashMap<>();
        double momentum = o.optimizer() instanceof Optimizer.Sgd sgd ? sgd.momentum() : 0;
        if (o.optimizer() instanceof Optimizer.Adam adam) {
            String lr = g.scalar(o.learningRate());
            String one = g.scalar(1);
            String b1 = g.scalar(adam.beta1());
            String b2 = g.scalar(adam.beta2());
            String t = g.op("Add", in.get(STEP_COUNTER), one);
            next.put(STEP_COUNTER, t);
            String c1 = g.op("Sub", one, g.op("Pow", b1, t));
            String c2 = g.op("Sub", one, g.op("Pow", b2, t));
            String oneMinusB1 = g.scalar(1 - adam.beta1());
            String oneMinusB2 = g.scalar(1 - adam.beta2());
            String eps = g.scalar(ADAM_EPSILON);
            for (String p : layout.parameters().keySet()) {
                String grad = net.scaled(grads.get(p), o.l2(), 1, null, 0);
                String m = g.op("Add", g.op("Mul", in.get("m_" + p), b1), g.op("Mul", grad, oneMinusB1));
                String s = g.op("Add", g.op("Mul", in.get("s_" + p), b2),
                        g.op("Mul", g.op("Mul", grad, grad), oneMinusB2));
                String mHat = g.op("Div", m, c1);
                String sHat = g.op("Div", s, c2);
                String step = g.op("Div", mHat, g.op("Add", g.op("Sqrt", sHat), eps));
                next.put(p, g.op("Sub", in.get(p), g.op("Mul", step, lr)));
                next.put("m_" + p, m);
                next.put("s_" + p, s);
            }
        } else if (momentum == 0) {
            // plain SGD, w' = (1 - lr·l2)·w - lr·g: for a dense weight one Gemm with the weight itself as C, no
            // state and no element-wise pass (biases take no decay)
            for (String p : layout.parameters().keySet()) {
                Network.Gradient gr = grads.get(p);
                double keep = gr.weight() == null ? 1 : 1 - o.learningRate() * o.l2();
                next.put(p, net.scaled(gr, 0, -o.learningRate(), in.get(p), keep));
            }
        } else {
            // momentum kept as the step u = -lr·v: u' = mu·u - lr·(g + l2·w), w' = w + u' (the reference's
            // v' = mu·v + g + l2·w, w' = w - lr·v' up to rounding), so the update folds into the weight's Gemm
            for (String p : layout.parameters().keySet()) {
                String u = net.scaled(grads.get(p), o.l2(), -o.learningRate(), in.get("v_" + p), momentum);
                next.put(p, g.op("Add", in.get(p), u));
                next.put("v_" + p, u);
            }
        }
        return next;
    }

    /** The parameter a carried tensor belongs to (itself for a parameter, null for t). */
    private static String parameterOf(String name) {
        if (name.equals(STEP_COUNTER)) {
            return null;
        }
        return name.startsWith("v_") || name.startsWith("m_") || name.startsWith("s_") ? name.substring(2) : name;
    }

    /** Static shape of a carried tensor: the parameter's shape for parameters and their state, [] for t. */
    public static long[] shape(Layout layout, String name) {
        if (name.equals(STEP_COUNTER)) {
            return new long[0];
        }
        int[] s = layout.parameters().get(parameterOf(name));
        long[] l = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            l[i] = s[i];
        }
        return l;
    }

    private static byte[] model(Graph g) {
        return ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("cnai-training")
                .setProducerVersion("1")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(g.build()).build().toByteArray();
    }
}
