package dev.cnai.training.impl;

import static dev.cnai.training.impl.Op.ADD;
import static dev.cnai.training.impl.Op.DIV;
import static dev.cnai.training.impl.Op.MUL;
import static dev.cnai.training.impl.Op.POW;
import static dev.cnai.training.impl.Op.SQRT;
import static dev.cnai.training.impl.Op.SUB;

import dev.cnai.training.Optimizer;
import dev.cnai.training.TrainingConfig;
import dev.cnai.training.impl.Graph.Value;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Each {@link Optimizer}'s step inside the epoch graph: SGD (plain, or with momentum folded into the weight's Gemm)
 * and Adam with bias correction. A new optimiser is a new branch here beside its record.
 */
final class OptimizerGraphs {
    static final double ADAM_EPSILON = 1e-8;

    private OptimizerGraphs() {
    }

    /** SGD's momentum (0 for plain SGD); 0 for Adam, which keeps its own moments. */
    static double momentum(TrainingConfig o) {
        return o.optimizer() instanceof Optimizer.Sgd sgd ? sgd.momentum() : 0;
    }

    /** The optimiser step: new value of every carried tensor, by name. */
    static Map<String, Value> update(Graph g, Network net, Layout layout, TrainingConfig o,
            Map<String, Value> in, Map<String, Network.Gradient> grads) {
        Map<String, Value> next = new LinkedHashMap<>();
        if (o.optimizer() instanceof Optimizer.Adam adam) {
            Value lr = g.scalar(o.learningRate());
            Value one = g.scalar(1);
            Value b1 = g.scalar(adam.beta1());
            Value b2 = g.scalar(adam.beta2());
            Value t = g.op(ADD, in.get(TrainingGraphs.STEP_COUNTER), one);
            next.put(TrainingGraphs.STEP_COUNTER, t);
            Value c1 = g.op(SUB, one, g.op(POW, b1, t));
            Value c2 = g.op(SUB, one, g.op(POW, b2, t));
            Value oneMinusB1 = g.scalar(1 - adam.beta1());
            Value oneMinusB2 = g.scalar(1 - adam.beta2());
            Value eps = g.scalar(ADAM_EPSILON);
            for (String p : layout.parameters().keySet()) {
                String mName = TrainingGraphs.StateRole.FIRST_MOMENT.of(p);
                String sName = TrainingGraphs.StateRole.SECOND_MOMENT.of(p);
                Value grad = net.scaled(grads.get(p), o.l2(), 1, null, 0);
                Value m = g.op(ADD, g.op(MUL, in.get(mName), b1), g.op(MUL, grad, oneMinusB1));
                Value s = g.op(ADD, g.op(MUL, in.get(sName), b2),
                        g.op(MUL, g.op(MUL, grad, grad), oneMinusB2));
                Value mHat = g.op(DIV, m, c1);
                Value sHat = g.op(DIV, s, c2);
                Value step = g.op(DIV, mHat, g.op(ADD, g.op(SQRT, sHat), eps));
                next.put(p, g.op(SUB, in.get(p), g.op(MUL, step, lr)));
                next.put(mName, m);
                next.put(sName, s);
            }
        } else if (momentum(o) == 0) {
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
                String vName = TrainingGraphs.StateRole.VELOCITY.of(p);
                Value u = net.scaled(grads.get(p), o.l2(), -o.learningRate(), in.get(vName), momentum(o));
                next.put(p, g.op(ADD, in.get(p), u));
                next.put(vName, u);
            }
        }
        return next;
    }
}
