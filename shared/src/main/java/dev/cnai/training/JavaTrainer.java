package dev.cnai.training;

import dev.cnai.data.Dataset;
import dev.cnai.events.NormStats;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Plain-Java reference trainer: mini-batch SGD with momentum ({@code v = μv + g; w -= ηv}), L2 weight decay
 * on the W and K tensors ({@code g += λW}), softmax cross-entropy, ReLU hidden layers and (cnn) convolution
 * blocks, computed in double. The oracle of the ONNX Runtime engine ({@link OnnxTrainer}).
 * Deterministic: the same arguments always give bit-identical weights.
 */
public final class JavaTrainer {
    private static final int CHUNK = 256;

    private JavaTrainer() {
    }

    /**
     * Trains {@code start} on a shard for {@code options.localEpochs()} epochs, shuffling each epoch with a
     * generator seeded by {@code seed} (and, with {@code options.augment()}, each epoch's images shifted at random
     * as {@link OnnxTrainer} shifts them). Inputs are normalised with {@code stats}.
     *
     * @throws TrainingException invalid spec/options/data, weights that do not fit, or divergence
     */
    public static TrainResult train(Architecture spec, Weights start, Dataset shard, NormStats stats,
            TrainingConfig options, long seed) {
        TrainingConfig o = Objects.requireNonNull(options, "options");
        if (!(o.optimizer() instanceof Optimizer.Sgd sgd)) {
            throw TrainingException.invalidSpec("the plain-Java reference trains with sgd only, got optimizer '"
                    + o.optimizer().name() + "'; use the onnx engine for adam");
        }
        int n = shard.rows();
        int batch = Math.min(o.batchSize(), n);
        Backprop net = model(spec, start, shard, stats, batch);
        double lr = o.learningRate();
        double mu = sgd.momentum();
        double l2 = o.l2();
        double[][] params = net.params();
        double[][] grads = net.grads();
        boolean[] decays = net.decays();
        double[][] velocity = new double[params.length][];
        for (int p = 0; p < params.length; p++) {
            velocity[p] = new double[params[p].length];
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        Shifts shifts = Shifts.of(o.augment(), shard.features(), seed);
        double epochLoss = 0;
        for (int epoch = 0; epoch < o.localEpochs(); epoch++) {
            TrainingInputs.shuffle(order, rng);
            Dataset data = shifts == null ? shard
                    : new Dataset(shard.features(), shard.classes(), shifts.next(shard), shard.y());
            epochLoss = 0;
            for (int from = 0; from < n; from += batch) {
                int m = Math.min(batch, n - from);
                net.input(data, order, from, m);
                double loss = net.forward(m);
                if (!Double.isFinite(loss)) {
                    throw TrainingException.diverged("cross-entropy became " + loss + " in epoch " + (epoch + 1)
                            + " at row " + from + " with learning rate " + lr);
                }
                epochLoss += loss;
                net.zeroGradients();
                net.backward(m, 1.0 / m);
                for (int p = 0; p < params.length; p++) {
                    step(params[p], grads[p], velocity[p], lr, mu, decays[p] ? l2 : 0);
                }
            }
        }
        return new TrainResult(net.parameters(), epochLoss / n, n);
    }

    /**
     * Objective at {@code w} on a whole dataset: mean cross-entropy plus {@code l2/2 × Σ W²} (biases excluded).
     * Its gradient is {@link #gradient}.
     */
    public static double loss(Architecture spec, Weights w, Dataset data, NormStats stats, double l2) {
        Backprop net = model(spec, w, data, stats, Math.min(CHUNK, data.rows()));
        double sum = 0;
        for (int from = 0; from < data.rows(); from += net.capacity()) {
            int m = Math.min(net.capacity(), data.rows() - from);
            net.input(data, null, from, m);
            sum += net.forward(m);
        }
        return sum / data.rows() + 0.5 * l2 * net.squaredWeights();
    }

    /** Gradient of {@link #loss} with respect to every tensor of {@code w}, as tensors of the same names and shapes. */
    public static Weights gradient(Architecture spec, Weights w, Dataset data, NormStats stats, double l2) {
        Backprop net = model(spec, w, data, stats, Math.min(CHUNK, data.rows()));
        net.zeroGradients();
        for (int from = 0; from < data.rows(); from += net.capacity()) {
            int m = Math.min(net.capacity(), data.rows() - from);
            net.input(data, null, from, m);
            net.forward(m);
            net.backward(m, 1.0 / data.rows());
        }
        double[][] params = net.params();
        double[][] grads = net.grads();
        boolean[] decays = net.decays();
        for (int p = 0; p < params.length; p++) {
            for (int i = 0; decays[p] && i < params[p].length; i++) {
                grads[p][i] += l2 * params[p][i];
            }
        }
        return net.gradients();
    }

    private static void step(double[] p, double[] g, double[] v, double lr, double mu, double l2) {
        for (int i = 0; i < p.length; i++) {
            double vi = mu * v[i] + g[i] + l2 * p[i];
            v[i] = vi;
            p[i] -= lr * vi;
        }
    }

    /** Validates spec, weights, stats and data together; returns the model, batches of at most {@code cap} rows. */
    static Backprop model(Architecture spec, Weights w, Dataset data, NormStats stats, int cap) {
        TrainingInputs.checkData(data);
        spec.checkWeights(w, data.features(), data.classes());
        NormStats.require(stats, TrainingException::invalidSpec);
        return spec instanceof Architecture.Cnn
                ? new ConvNet(spec, data.features(), data.classes(), w, stats, cap)
                : new Net(spec.layerSizes(data.features(), data.classes()), w, stats, cap);
    }
}
