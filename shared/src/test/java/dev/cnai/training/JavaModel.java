package dev.cnai.training;

import dev.cnai.training.Architecture;
import dev.cnai.data.Dataset;
import dev.cnai.events.NormStats;

/** Plain-Java inference with the same arithmetic as {@link JavaTrainer}: the reference for exported models. */
public final class JavaModel {
    private static final int CHUNK = 256;

    private JavaModel() {
    }

    /**
     * Class probabilities of every row, row-major {@code rows × classes}. Labels of {@code data} are only
     * range-checked.
     */
    public static float[] predictProba(Architecture spec, Weights w, Dataset data, NormStats stats) {
        int c = data.classes();
        Backprop net = JavaTrainer.model(spec, w, data, stats, Math.min(CHUNK, data.rows()));
        float[] out = new float[data.rows() * c];
        for (int from = 0; from < data.rows(); from += net.capacity()) {
            int m = Math.min(net.capacity(), data.rows() - from);
            net.input(data, null, from, m);
            net.forward(m);
            double[] p = net.probabilities();
            for (int k = 0; k < m * c; k++) {
                out[from * c + k] = (float) p[k];
            }
        }
        return out;
    }
}
