package dev.cnai.training.impl;

import static dev.cnai.training.impl.Op.ADD;
import static dev.cnai.training.impl.Op.CAST;
import static dev.cnai.training.impl.Op.DIV;
import static dev.cnai.training.impl.Op.GATHER;
import static dev.cnai.training.impl.Op.IDENTITY;
import static dev.cnai.training.impl.Op.LOOP;
import static dev.cnai.training.impl.Op.MUL;
import static dev.cnai.training.impl.Op.RECIPROCAL;
import static dev.cnai.training.impl.Op.SHAPE;
import static dev.cnai.training.impl.Op.SLICE;
import static dev.cnai.training.impl.Op.SUB;
import static dev.cnai.training.impl.Op.TRANSPOSE;
import static dev.cnai.training.impl.Op.UNSQUEEZE;
import static dev.cnai.training.impl.Graph.attr;
import static dev.cnai.training.impl.Graph.attrs;

import dev.cnai.training.Optimizer;
import dev.cnai.training.TrainingConfig;
import dev.cnai.training.impl.Graph.Value;
import java.util.ArrayList;
import java.util.HashMap;
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

    private TrainingGraphs() {
    }

    /**
     * The role of an optimiser state tensor of a parameter. Its tensor name, {@code <prefix><parameter>} (e.g.
     * {@code v_W0}), is the graph input and (with {@code out_}) output name the trainer feeds and reads.
     */
    enum StateRole {
        /** SGD momentum, held as the last step {@code -lr·v}. */
        VELOCITY("v_"),
        /** Adam's first moment. */
        FIRST_MOMENT("m_"),
        /** Adam's second moment. */
        SECOND_MOMENT("s_");

        private final String prefix;

        StateRole(String prefix) {
            this.prefix = prefix;
        }

        /** The name of this state tensor of {@code parameter}. */
        String of(String parameter) {
            return prefix + parameter;
        }

        /** The state roles of an optimiser, in feed order (none for SGD without momentum). */
        static List<StateRole> of(TrainingConfig o) {
            if (o.optimizer() instanceof Optimizer.Adam) {
                return List.of(FIRST_MOMENT, SECOND_MOMENT);
            }
            return OptimizerGraphs.momentum(o) == 0 ? List.of() : List.of(VELOCITY);
        }
    }

    /**
     * A loop-carried tensor besides the summed loss: a parameter or one of its state tensors ({@code parameter} is
     * the parameter it belongs to), or the step counter ({@code parameter} null).
     */
    private record Carried(String name, String parameter) {
    }

    /** Names of the optimiser state tensors of a parameter, in feed order (none for SGD without momentum). */
    public static List<String> stateNames(TrainingConfig o, String parameter) {
        return StateRole.of(o).stream().map(r -> r.of(parameter)).toList();
    }

    /** Every loop-carried value besides the summed loss: parameters, then state, then (Adam) the step counter. */
    public static List<String> carried(Layout layout, TrainingConfig o) {
        return carriedTensors(layout, o).stream().map(Carried::name).toList();
    }

    private static List<Carried> carriedTensors(Layout layout, TrainingConfig o) {
        List<Carried> carried = new ArrayList<>();
        for (String p : layout.parameters().keySet()) {
            carried.add(new Carried(p, p));
        }
        for (String p : layout.parameters().keySet()) {
            for (StateRole r : StateRole.of(o)) {
                carried.add(new Carried(r.of(p), p));
            }
        }
        if (o.optimizer() instanceof Optimizer.Adam) {
            carried.add(new Carried(STEP_COUNTER, null));
        }
        return carried;
    }

    /**
     * The feeds of one run of the epoch graph: the loop-carried tensors, then the data, its normalisation, the
     * batch order and the number of steps, each under its input name.
     */
    public static <T> Map<String, T> epochInputs(Map<String, T> carried, T x, T mean, T std, T y, T perm, T steps) {
        Map<String, T> inputs = new HashMap<>(carried);
        inputs.put(X, x);
        inputs.put(MEAN, mean);
        inputs.put(STD, std);
        inputs.put(Y, y);
        inputs.put(PERM, perm);
        inputs.put(STEPS, steps);
        return inputs;
    }

    /** Serialised epoch graph for a model and (defaulted) training options. */
    public static byte[] epoch(Layout layout, TrainingConfig o) {
        List<Carried> carried = carriedTensors(layout, o);
        Graph body = new Graph("minibatch_step", "s_");
        Value iter = body.input("iter", Graph.INT64, new long[0]);
        Value condIn = body.input("cond_in", Graph.BOOL, new long[0]);
        Map<String, Value> in = new LinkedHashMap<>();
        for (Carried c : carried) {
            in.put(c.name(), body.input("in_" + c.name(), Graph.FLOAT, null));
        }
        Value lossIn = body.input("in_" + LOSS_SUM, Graph.FLOAT, new long[0]);

        Value batch = body.ints(o.batchSize());
        Value start = body.op(MUL, body.op(UNSQUEEZE, iter, body.ints(0)), batch);
        Value rows = body.op(SLICE, ref(PERM), start, body.op(ADD, start, batch), body.ints(0));
        // normalise the gathered rows, not the shard: 64 cache-resident rows per step instead of two extra passes
        // over the whole shard per run
        Value xb = normalise(body, body.op(GATHER, attrs(attr("axis", 0)), ref(X), rows));
        boolean featureMajor = Network.featureMajor(layout);
        // feature-major, the one-hot labels are gathered from their transpose [classes, n] (made once per run)
        Value yb = featureMajor ? body.op(GATHER, attrs(attr("axis", 1)), ref(Y_T), rows)
                : body.op(GATHER, attrs(attr("axis", 0)), ref(Y), rows);
        Map<String, Value> params = new LinkedHashMap<>();
        for (String p : layout.parameters().keySet()) {
            params.put(p, in.get(p));
        }
        Network net = new Network(layout, body, params);
        Network.Loss loss = net.softmaxCrossEntropy(net.forward(xb), yb);
        Map<String, Network.Gradient> grads = net.backward(loss.dLogits());

        body.output(body.opTo("cond_out", IDENTITY, attrs(), condIn), Graph.BOOL, new long[0]);
        Map<String, Value> next = OptimizerGraphs.update(body, net, layout, o, in, grads);
        for (Carried c : carried) {
            // Loop body outputs are positional: declaring the update's own value as the output avoids a copy
            body.output(next.get(c.name()), Graph.FLOAT, null);
        }
        body.output(body.opTo("next_" + LOSS_SUM, ADD, attrs(), lossIn, loss.sum()), Graph.FLOAT, new long[0]);

        Graph main = new Graph("cnai_train_epoch", "");
        Value x = main.input(X, Graph.FLOAT, new long[] {-1, layout.features()});
        main.input(MEAN, Graph.FLOAT, new long[0]);
        Value std = main.input(STD, Graph.FLOAT, new long[0]);
        Value y = main.input(Y, Graph.FLOAT, new long[] {-1, layout.classes()});
        main.input(PERM, Graph.INT64, new long[] {-1});
        Value steps = main.input(STEPS, Graph.INT64, new long[0]);
        main.opTo(INV_STD, RECIPROCAL, attrs(), std);
        // the network's weights and state enter the loop in its layout (feature-major: Wᵀ, biases [out, 1]) and
        // leave it in theirs: two transposes per run instead of packing W in every step
        if (featureMajor) {
            main.opTo(Y_T, TRANSPOSE, attrs(attr("perm", 1, 0)), y);
        }
        List<Value> loopInputs = new ArrayList<>(List.of(steps, Graph.NONE));
        for (Carried c : carried) {
            Value v = main.input(c.name(), Graph.FLOAT, shape(layout, c));
            loopInputs.add(Network.inner(main, layout, c.parameter(), v));
        }
        loopInputs.add(main.scalar(0));
        List<Value> loopOut = main.ops(LOOP, carried.size() + 1, attrs(attr("body", body.build())),
                loopInputs.toArray(Value[]::new));
        for (int i = 0; i < carried.size(); i++) {
            Carried c = carried.get(i);
            Value out = main.opTo("out_" + c.name(), IDENTITY, attrs(),
                    Network.outer(main, layout, c.parameter(), loopOut.get(i)));
            main.output(out, Graph.FLOAT, shape(layout, c));
        }
        main.output(main.opTo(LOSS_SUM, IDENTITY, attrs(), loopOut.get(carried.size())), Graph.FLOAT, new long[0]);
        return model(main);
    }

    /** Serialised gradient graph (loss and gradients, no update) for gradient checks. */
    public static byte[] gradient(Layout layout, double l2) {
        Graph g = new Graph("cnai_gradient", "");
        Value x = g.input(X, Graph.FLOAT, new long[] {-1, layout.features()});
        g.input(MEAN, Graph.FLOAT, new long[0]);
        Value std = g.input(STD, Graph.FLOAT, new long[0]);
        Value y = g.input(Y, Graph.FLOAT, new long[] {-1, layout.classes()});
        Map<String, Value> params = new LinkedHashMap<>();
        for (String p : layout.parameters().keySet()) {
            params.put(p, Network.inner(g, layout, p, g.input(p, Graph.FLOAT, shape(layout, p))));
        }
        Network net = new Network(layout, g, params);
        Value labels = Network.featureMajor(layout) ? g.op(TRANSPOSE, attrs(attr("perm", 1, 0)), y) : y;
        g.opTo(INV_STD, RECIPROCAL, attrs(), std);
        Network.Loss loss = net.softmaxCrossEntropy(net.forward(normalise(g, x)), labels);
        Map<String, Value> grads = new LinkedHashMap<>();
        net.backward(loss.dLogits()).forEach((p, gr) -> grads.put(p,
                Network.outer(g, layout, p, net.scaled(gr, l2, 1, null, 0))));
        Value rows = g.op(CAST, attrs(attr("to", (long) Graph.FLOAT)),
                g.op(GATHER, attrs(attr("axis", 0)), g.op(SHAPE, x), g.longScalar(0)));
        g.output(g.opTo(LOSS, ADD, attrs(), g.op(DIV, loss.sum(), rows), net.penalty(l2)), Graph.FLOAT,
                new long[0]);
        for (Map.Entry<String, Value> e : grads.entrySet()) {
            Value out = g.opTo("grad_" + e.getKey(), IDENTITY, attrs(), e.getValue());
            g.output(out, Graph.FLOAT, shape(layout, e.getKey()));
        }
        return model(g);
    }

    /**
     * {@code (x - mean) · (1 / std)} in the graph ({@link #INV_STD} made once): the shard is uploaded raw (one bulk
     * copy), where normalising it in Java cost ~100 ms per call while that loop still runs interpreted in a young
     * process.
     */
    private static Value normalise(Graph g, Value x) {
        return g.op(MUL, g.op(SUB, x, ref(MEAN)), ref(INV_STD));
    }

    /** A value of the graph or of an outer one (a Loop body reads the main graph's inputs), by name. */
    private static Value ref(String name) {
        return new Value(name);
    }

    /**
     * Static shape of a carried tensor or parameter: the parameter's shape for parameters and their state, [] for
     * t.
     *
     * @throws IllegalArgumentException when {@code name} is none of them
     */
    public static long[] shape(Layout layout, String name) {
        if (name.equals(STEP_COUNTER)) {
            return new long[0];
        }
        for (String p : layout.parameters().keySet()) {
            if (p.equals(name)) {
                return parameterShape(layout, p);
            }
            for (StateRole r : StateRole.values()) {
                if (r.of(p).equals(name)) {
                    return parameterShape(layout, p);
                }
            }
        }
        throw new IllegalArgumentException("no parameter or optimiser state named " + name);
    }

    private static long[] shape(Layout layout, Carried c) {
        return c.parameter() == null ? new long[0] : parameterShape(layout, c.parameter());
    }

    /** A parameter's shape, which its state tensors share. */
    private static long[] parameterShape(Layout layout, String parameter) {
        int[] s = layout.parameters().get(parameter);
        long[] l = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            l[i] = s[i];
        }
        return l;
    }

    private static byte[] model(Graph g) {
        return g.model("cnai-training").build().toByteArray();
    }
}
