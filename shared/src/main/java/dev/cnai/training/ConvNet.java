package dev.cnai.training;

import dev.cnai.data.Dataset;
import dev.cnai.events.NormStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Double-precision CNN of the plain-Java reference: per block a valid 5×5 convolution, ReLU and a 2×2/2
 * max-pool (the first maximum of a window wins), then a dense {@link Net} head on the flattened [C, H, W] maps.
 */
final class ConvNet implements Backprop {
    private static final int K = Architecture.KERNEL;
    private static final int P = Architecture.POOL;

    private final int blocks;
    private final int[] inC;
    private final int[] outC;
    private final int[] side;
    private final double[][] k;
    private final double[][] c;
    private final double[][] gk;
    private final double[][] gc;
    private final Net head;
    private final int cap;
    private final double mean;
    private final double std;
    /** Per block and row: input maps [inC, side, side]; ReLU output [outC, side-4, side-4]; argmax per pooled cell. */
    private final double[][] in;
    private final double[][] relu;
    private final int[][] argmax;
    private final double[] dMaps;

    ConvNet(Architecture s, int features, int classes, Weights w, NormStats stats, int cap) {
        this.blocks = s.conv().size();
        this.side = s.imageSides(features);
        this.cap = cap;
        this.mean = stats.mean();
        this.std = stats.std();
        inC = new int[blocks];
        outC = new int[blocks];
        k = new double[blocks][];
        c = new double[blocks][];
        gk = new double[blocks][];
        gc = new double[blocks][];
        in = new double[blocks][];
        relu = new double[blocks][];
        argmax = new int[blocks][];
        int widest = 0;
        for (int i = 0; i < blocks; i++) {
            inC[i] = i == 0 ? 1 : outC[i - 1];
            outC[i] = s.conv().get(i);
            k[i] = Net.toDouble(w.tensors().get(2 * i).data());
            c[i] = Net.toDouble(w.tensors().get(2 * i + 1).data());
            gk[i] = new double[k[i].length];
            gc[i] = new double[c[i].length];
            int o = side[i] - K + 1;
            in[i] = new double[cap * inC[i] * side[i] * side[i]];
            relu[i] = new double[cap * outC[i] * o * o];
            argmax[i] = new int[cap * outC[i] * side[i + 1] * side[i + 1]];
            widest = Math.max(widest, outC[i] * o * o);
        }
        dMaps = new double[widest];
        head = new Net(s.layerSizes(features, classes), w, 2 * blocks, cap);
    }

    @Override
    public void input(Dataset data, int[] order, int from, int n) {
        int f = data.features();
        for (int r = 0; r < n; r++) {
            int row = order == null ? from + r : order[from + r];
            for (int i = 0; i < f; i++) {
                in[0][r * f + i] = (data.x()[row * f + i] - mean) / std;
            }
            head.label(r, data.y()[row]);
        }
    }

    @Override
    public double forward(int n) {
        for (int b = 0; b < blocks; b++) {
            int h = side[b];
            int o = h - K + 1;
            int p = side[b + 1];
            double[] next = b + 1 < blocks ? in[b + 1] : head.inputs();
            int inSize = inC[b] * h * h;
            int outSize = outC[b] * o * o;
            int poolSize = outC[b] * p * p;
            for (int r = 0; r < n; r++) {
                int x0 = r * inSize;
                int z0 = r * outSize;
                for (int oc = 0; oc < outC[b]; oc++) {
                    Arrays.fill(relu[b], z0 + oc * o * o, z0 + (oc + 1) * o * o, c[b][oc]);
                    for (int ic = 0; ic < inC[b]; ic++) {
                        for (int kh = 0; kh < K; kh++) {
                            for (int kw = 0; kw < K; kw++) {
                                double wv = k[b][((oc * inC[b] + ic) * K + kh) * K + kw];
                                for (int y = 0; y < o; y++) {
                                    int src = x0 + (ic * h + y + kh) * h + kw;
                                    int dst = z0 + (oc * o + y) * o;
                                    for (int x = 0; x < o; x++) {
                                        relu[b][dst + x] += wv * in[b][src + x];
                                    }
                                }
                            }
                        }
                    }
                }
                for (int i = z0; i < z0 + outSize; i++) {
                    if (relu[b][i] < 0) {
                        relu[b][i] = 0;
                    }
                }
                for (int oc = 0; oc < outC[b]; oc++) {
                    for (int py = 0; py < p; py++) {
                        for (int px = 0; px < p; px++) {
                            int best = z0 + (oc * o + py * P) * o + px * P;
                            for (int dy = 0; dy < P; dy++) {
                                for (int dx = 0; dx < P; dx++) {
                                    int idx = z0 + (oc * o + py * P + dy) * o + px * P + dx;
                                    if (relu[b][idx] > relu[b][best]) {
                                        best = idx;
                                    }
                                }
                            }
                            int cell = (oc * p + py) * p + px;
                            argmax[b][r * poolSize + cell] = best;
                            next[r * poolSize + cell] = relu[b][best];
                        }
                    }
                }
            }
        }
        return head.forward(n);
    }

    @Override
    public double[] probabilities() {
        return head.probabilities();
    }

    @Override
    public void zeroGradients() {
        head.zeroGradients();
        for (int b = 0; b < blocks; b++) {
            Arrays.fill(gk[b], 0);
            Arrays.fill(gc[b], 0);
        }
    }

    @Override
    public void backward(int n, double scale) {
        head.backward(n, scale);
        double[] dPooled = head.inputGradient();
        for (int b = blocks - 1; b >= 0; b--) {
            int h = side[b];
            int o = h - K + 1;
            int p = side[b + 1];
            int inSize = inC[b] * h * h;
            int outSize = outC[b] * o * o;
            int poolSize = outC[b] * p * p;
            double[] dIn = b > 0 ? new double[n * inSize] : null;
            for (int r = 0; r < n; r++) {
                int z0 = r * outSize;
                Arrays.fill(dMaps, 0, outSize, 0);
                for (int cell = 0; cell < poolSize; cell++) {
                    int idx = argmax[b][r * poolSize + cell];
                    if (relu[b][idx] > 0) {
                        dMaps[idx - z0] += dPooled[r * poolSize + cell];
                    }
                }
                int x0 = r * inSize;
                for (int oc = 0; oc < outC[b]; oc++) {
                    double sum = 0;
                    for (int i = oc * o * o; i < (oc + 1) * o * o; i++) {
                        sum += dMaps[i];
                    }
                    gc[b][oc] += sum;
                    for (int ic = 0; ic < inC[b]; ic++) {
                        for (int kh = 0; kh < K; kh++) {
                            for (int kw = 0; kw < K; kw++) {
                                int wi = ((oc * inC[b] + ic) * K + kh) * K + kw;
                                double wv = k[b][wi];
                                double g = 0;
                                for (int y = 0; y < o; y++) {
                                    int src = x0 + (ic * h + y + kh) * h + kw;
                                    int d = (oc * o + y) * o;
                                    for (int x = 0; x < o; x++) {
                                        g += dMaps[d + x] * in[b][src + x];
                                    }
                                    if (dIn != null) {
                                        for (int x = 0; x < o; x++) {
                                            dIn[src + x] += dMaps[d + x] * wv;
                                        }
                                    }
                                }
                                gk[b][wi] += g;
                            }
                        }
                    }
                }
            }
            if (dIn != null) {
                dPooled = dIn;
            }
        }
    }

    @Override
    public double[][] params() {
        return concat(k, c, head.params());
    }

    @Override
    public double[][] grads() {
        return concat(gk, gc, head.grads());
    }

    @Override
    public boolean[] decays() {
        boolean[] h = head.decays();
        boolean[] d = new boolean[2 * blocks + h.length];
        for (int b = 0; b < blocks; b++) {
            d[2 * b] = true;
        }
        System.arraycopy(h, 0, d, 2 * blocks, h.length);
        return d;
    }

    @Override
    public double squaredWeights() {
        return head.squaredWeights() + Net.sumOfSquares(k);
    }

    @Override
    public int capacity() {
        return cap;
    }

    @Override
    public Weights parameters() {
        return pack(k, c, head.parameters());
    }

    @Override
    public Weights gradients() {
        return pack(gk, gc, head.gradients());
    }

    private Weights pack(double[][] ks, double[][] cs, Weights dense) {
        List<Tensor> tensors = new ArrayList<>();
        for (int b = 0; b < blocks; b++) {
            tensors.add(new Tensor("K" + b, new int[] {outC[b], inC[b], K, K}, Net.toFloat(ks[b])));
            tensors.add(new Tensor("c" + b, new int[] {outC[b]}, Net.toFloat(cs[b])));
        }
        tensors.addAll(dense.tensors());
        return new Weights(tensors);
    }

    private double[][] concat(double[][] ks, double[][] cs, double[][] dense) {
        double[][] all = new double[2 * blocks + dense.length][];
        for (int b = 0; b < blocks; b++) {
            all[2 * b] = ks[b];
            all[2 * b + 1] = cs[b];
        }
        System.arraycopy(dense, 0, all, 2 * blocks, dense.length);
        return all;
    }


}
