package dev.cnai.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Model families and their parameters. Layer {@code i} has weights {@code W{i}} of shape [in, out] and bias
 * {@code b{i}} of shape [out]; hidden layers use ReLU and the last layer feeds a softmax.
 */
public final class Models {
    /** Family of softmax regression: one layer from features to classes. */
    public static final String SOFTMAX = "softmax";
    /** Family of multi-layer perceptrons with ReLU hidden layers. */
    public static final String MLP = "mlp";
    /** Hidden widths of an MLP whose spec gives none. */
    public static final List<Integer> DEFAULT_HIDDEN = List.of(128);
    static final int MAX_WIDTH = 4096;
    static final int MAX_HIDDEN_LAYERS = 8;

    private Models() {
    }

    /**
     * Validates a spec and fills its defaults: family is trimmed and lower-cased; softmax gets no hidden
     * layers, an MLP without hidden widths gets {@link #DEFAULT_HIDDEN}.
     */
    public static ModelSpec normalize(ModelSpec spec) {
        if (spec == null || spec.family() == null || spec.family().isBlank()) {
            throw TrainingException.invalidSpec("model family is required (softmax or mlp)");
        }
        String family = spec.family().trim().toLowerCase(Locale.ROOT);
        if (family.equals(SOFTMAX)) {
            return new ModelSpec(SOFTMAX, List.of());
        }
        if (!family.equals(MLP)) {
            throw TrainingException.invalidSpec("unknown model family '" + spec.family() + "'; use softmax or mlp");
        }
        List<Integer> hidden = spec.hidden() == null || spec.hidden().isEmpty() ? DEFAULT_HIDDEN : spec.hidden();
        if (hidden.size() > MAX_HIDDEN_LAYERS) {
            throw TrainingException.invalidSpec("an mlp has at most " + MAX_HIDDEN_LAYERS + " hidden layers, got "
                    + hidden.size());
        }
        List<Integer> widths = new ArrayList<>(hidden.size());
        for (Integer w : hidden) {
            if (w == null || w < 1 || w > MAX_WIDTH) {
                throw TrainingException.invalidSpec("hidden layer widths must be between 1 and " + MAX_WIDTH
                        + ", got " + hidden);
            }
            widths.add(w);
        }
        return new ModelSpec(MLP, List.copyOf(widths));
    }

    /** Layer sizes {@code [features, hidden..., classes]} of a spec (normalised first). */
    public static int[] layerSizes(ModelSpec spec, int features, int classes) {
        ModelSpec s = normalize(spec);
        if (features < 1) {
            throw TrainingException.invalidSpec("features must be ≥ 1, got " + features);
        }
        if (classes < 2) {
            throw TrainingException.invalidSpec("classes must be ≥ 2, got " + classes);
        }
        int[] dims = new int[s.hidden().size() + 2];
        dims[0] = features;
        for (int i = 0; i < s.hidden().size(); i++) {
            dims[i + 1] = s.hidden().get(i);
        }
        dims[dims.length - 1] = classes;
        return dims;
    }

    /** Checks that weights hold exactly the tensors of the spec, in order; else {@link TrainingException#incompatible}. */
    public static void checkWeights(ModelSpec spec, Weights weights, int features, int classes) {
        int[] dims = layerSizes(spec, features, classes);
        int layers = dims.length - 1;
        if (weights.tensors().size() != 2 * layers) {
            throw TrainingException.incompatible("model " + describe(dims) + " needs " + 2 * layers
                    + " tensors, got " + weights.tensors().size());
        }
        for (int l = 0; l < layers; l++) {
            expect(weights.tensors().get(2 * l), "W" + l, new int[] {dims[l], dims[l + 1]}, dims);
            expect(weights.tensors().get(2 * l + 1), "b" + l, new int[] {dims[l + 1]}, dims);
        }
    }

    /**
     * Seeded initial weights: He-uniform for layers followed by ReLU, Glorot-uniform for the output layer,
     * zero biases. The same arguments always give the same weights.
     */
    public static Weights initialize(ModelSpec spec, int features, int classes, long seed) {
        int[] dims = layerSizes(spec, features, classes);
        SplittableRandom rng = new SplittableRandom(seed);
        List<Tensor> tensors = new ArrayList<>();
        for (int l = 0; l + 1 < dims.length; l++) {
            int in = dims[l];
            int out = dims[l + 1];
            boolean last = l + 2 == dims.length;
            double limit = last ? Math.sqrt(6.0 / (in + out)) : Math.sqrt(6.0 / in);
            float[] w = new float[in * out];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) ((2 * rng.nextDouble() - 1) * limit);
            }
            tensors.add(new Tensor("W" + l, new int[] {in, out}, w));
            tensors.add(new Tensor("b" + l, new int[] {out}, new float[out]));
        }
        return new Weights(tensors);
    }

    static String describe(int[] dims) {
        StringBuilder sb = new StringBuilder();
        for (int d : dims) {
            sb.append(sb.length() == 0 ? "" : "-").append(d);
        }
        return sb.toString();
    }

    private static void expect(Tensor t, String name, int[] shape, int[] dims) {
        if (!t.name().equals(name) || !Arrays.equals(t.shape(), shape)) {
            throw TrainingException.incompatible("model " + describe(dims) + " expects " + name + " "
                    + Arrays.toString(shape) + ", got " + t.name() + " " + Arrays.toString(t.shape()));
        }
    }
}
