package dev.cnai.training;

import dev.cnai.data.Dataset;
import dev.cnai.events.NormStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Double-precision forward and backward passes of a softmax/MLP over batches of at most {@code cap} rows.
 * All buffers are allocated once; loops run over row-major arrays with the widest dimension innermost.
 * (Over 300 lines on purpose: the oracle of the gradient checks keeps each forward loop beside the backward loop
 * that differentiates it, so a reader can check one against the other on one screen.)
 */
final class Net implements Backprop {
    final int[] dims;
    final int layers;
    final double[][] w;
    final double[][] b;
    final double[][] gw;
    final double[][] gb;
    private final int cap;
    /** act[0]: normalised inputs; act[l]: output of layer l-1 (ReLU, or softmax probabilities for the last). */
    private final double[][] act;
    private final int[] labels;
    private double[] delta;
    private double[] deltaPrev;
    private final double mean;
    private final double std;
    /** Gradient with respect to act[0], computed by backward only when this net is the head of a {@link ConvNet}. */
    private final double[] inputGradient;

    Net(int[] dims, Weights weights, NormStats stats, int cap) {
        this(dims, weights, 0, stats, cap, false);
    }

    /**
     * The dense head of a {@link ConvNet}: its layers start at tensor {@code offset}, inputs are written into
     * {@link #inputs()} already normalised, and backward also computes {@link #inputGradient()}.
     */
    Net(int[] dims, Weights weights, int offset, int cap) {
        this(dims, weights, offset, new NormStats(0, 1), cap, true);
    }

    private Net(int[] dims, Weights weights, int offset, NormStats stats, int cap, boolean head) {
        this.dims = dims;
        this.layers = dims.length - 1;
        this.cap = cap;
        this.mean = stats.mean();
        this.std = stats.std();
        w = new double[layers][];
        b = new double[layers][];
        gw = new double[layers][];
        gb = new double[layers][];
        act = new double[layers + 1][];
        int widest = 0;
        for (int l = 0; l < layers; l++) {
            w[l] = toDouble(weights.tensors().get(offset + 2 * l).data());
            b[l] = toDouble(weights.tensors().get(offset + 2 * l + 1).data());
            gw[l] = new double[w[l].length];
            gb[l] = new double[b[l].length];
        }
        for (int l = 0; l <= layers; l++) {
            act[l] = new double[cap * dims[l]];
            widest = Math.max(widest, dims[l]);
        }
        labels = new int[cap];
        delta = new double[cap * widest];
        deltaPrev = new double[cap * widest];
        inputGradient = head ? new double[cap * dims[0]] : null;
    }

    /** Input buffer (row-major cap × dims[0]) of a head net. */
    double[] inputs() {
        return act[0];
    }

    /** Sets the label of row r of a head net. */
    void label(int r, int y) {
        labels[r] = y;
    }

    /** Gradient of the last backward pass with respect to the inputs (head nets only). */
    double[] inputGradient() {
        return inputGradient;
    }

    @Override
    public double[][] params() {
        return interleave(w, b);
    }

    @Override
    public double[][] grads() {
        return interleave(gw, gb);
    }

    @Override
    public boolean[] decays() {
        boolean[] d = new boolean[2 * layers];
        for (int l = 0; l < layers; l++) {
            d[2 * l] = true;
        }
        return d;
    }

    private double[][] interleave(double[][] ws, double[][] bs) {
        double[][] p = new double[2 * layers][];
        for (int l = 0; l < layers; l++) {
            p[2 * l] = ws[l];
            p[2 * l + 1] = bs[l];
        }
        return p;
    }

    /** Loads rows {@code order[from..from+n)} (or {@code from..from+n} when order is null), normalised. */
    @Override
    public void input(Dataset data, int[] order, int from, int n) {
        int f = dims[0];
        float[] x = data.x();
        double[] a = act[0];
        for (int r = 0; r < n; r++) {
            int row = order == null ? from + r : order[from + r];
            int src = row * f;
            int dst = r * f;
            for (int i = 0; i < f; i++) {
                a[dst + i] = (x[src + i] - mean) / std;
            }
            labels[r] = data.y()[row];
        }
    }

    /** Forward pass over the loaded n rows; returns the summed cross-entropy of their labels. */
    @Override
    public double forward(int n) {
        for (int l = 0; l < layers; l++) {
            int in = dims[l];
            int out = dims[l + 1];
            double[] x = act[l];
            double[] z = act[l + 1];
            double[] wl = w[l];
            double[] bl = b[l];
            for (int r = 0; r < n; r++) {
                int zo = r * out;
                System.arraycopy(bl, 0, z, zo, out);
                int xo = r * in;
                for (int i = 0; i < in; i++) {
                    double v = x[xo + i];
                    if (v != 0) {
                        addScaled(z, zo, v, wl, i * out, out);
                    }
                }
            }
            if (l + 1 < layers) {
                for (int k = 0, end = n * out; k < end; k++) {
                    if (z[k] < 0) { // NaN passes through so divergence stays visible
                        z[k] = 0;
                    }
                }
            }
        }
        return softmax(n);
    }

    private double softmax(int n) {
        int c = dims[layers];
        double[] p = act[layers];
        double loss = 0;
        for (int r = 0; r < n; r++) {
            int o = r * c;
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < c; k++) {
                max = Math.max(max, p[o + k]);
            }
            double sum = 0;
            double zy = p[o + labels[r]];
            for (int k = 0; k < c; k++) {
                double e = Math.exp(p[o + k] - max);
                p[o + k] = e;
                sum += e;
            }
            for (int k = 0; k < c; k++) {
                p[o + k] /= sum;
            }
            loss += Math.log(sum) - (zy - max);
        }
        return loss;
    }

    /** Probabilities of the last forward pass, row-major n × classes. */
    @Override
    public double[] probabilities() {
        return act[layers];
    }

    @Override
    public void zeroGradients() {
        for (int l = 0; l < layers; l++) {
            Arrays.fill(gw[l], 0);
            Arrays.fill(gb[l], 0);
        }
    }

    /** Accumulates {@code scale ×} the gradient of the summed cross-entropy of the last forward pass. */
    @Override
    public void backward(int n, double scale) {
        int c = dims[layers];
        double[] p = act[layers];
        for (int r = 0; r < n; r++) {
            for (int k = 0; k < c; k++) {
                delta[r * c + k] = p[r * c + k] * scale;
            }
            delta[r * c + labels[r]] -= scale;
        }
        for (int l = layers - 1; l >= 0; l--) {
            int in = dims[l];
            int out = dims[l + 1];
            double[] x = act[l];
            double[] g = gw[l];
            double[] gbl = gb[l];
            for (int r = 0; r < n; r++) {
                int xo = r * in;
                int d0 = r * out;
                for (int o = 0; o < out; o++) {
                    gbl[o] += delta[d0 + o];
                }
                for (int i = 0; i < in; i++) {
                    double v = x[xo + i];
                    if (v != 0) {
                        addScaled(g, i * out, v, delta, d0, out);
                    }
                }
            }
            if (l > 0) {
                double[] wl = w[l];
                for (int r = 0; r < n; r++) {
                    int xo = r * in;
                    int d0 = r * out;
                    for (int i = 0; i < in; i++) {
                        // ReLU derivative: activations that were clipped to 0 pass no gradient
                        if (x[xo + i] > 0) {
                            int wo = i * out;
                            double s = 0;
                            for (int o = 0; o < out; o++) {
                                s += delta[d0 + o] * wl[wo + o];
                            }
                            deltaPrev[xo + i] = s;
                        } else {
                            deltaPrev[xo + i] = 0;
                        }
                    }
                }
                double[] t = delta;
                delta = deltaPrev;
                deltaPrev = t;
            } else if (inputGradient != null) {
                double[] wl = w[0];
                for (int r = 0; r < n; r++) {
                    int d0 = r * out;
                    for (int i = 0; i < in; i++) {
                        int wo = i * out;
                        double s = 0;
                        for (int o = 0; o < out; o++) {
                            s += delta[d0 + o] * wl[wo + o];
                        }
                        inputGradient[r * in + i] = s;
                    }
                }
            }
        }
    }

    /** Sum of squared entries of every W. */
    @Override
    public double squaredWeights() {
        return sumOfSquares(w);
    }

    /** Σ v² over every entry of every array. */
    static double sumOfSquares(double[][] arrays) {
        double s = 0;
        for (double[] a : arrays) {
            for (double v : a) {
                s += v * v;
            }
        }
        return s;
    }

    @Override
    public int capacity() {
        return cap;
    }

    @Override
    public Weights parameters() {
        return pack(w, b);
    }

    @Override
    public Weights gradients() {
        return pack(gw, gb);
    }

    private Weights pack(double[][] ws, double[][] bs) {
        List<Tensor> tensors = new ArrayList<>(2 * layers);
        for (int l = 0; l < layers; l++) {
            tensors.add(new Tensor("W" + l, new int[] {dims[l], dims[l + 1]}, toFloat(ws[l])));
            tensors.add(new Tensor("b" + l, new int[] {dims[l + 1]}, toFloat(bs[l])));
        }
        return new Weights(tensors);
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    /** {@code dst[d, d + len) += v · src[s, s + len)}: a row of one operand, scaled, into a row of the result. */
    private static void addScaled(double[] dst, int d, double v, double[] src, int s, int len) {
        for (int k = 0; k < len; k++) {
            dst[d + k] += v * src[s + k];
        }
    }
}
