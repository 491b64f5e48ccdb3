package dev.cnai.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
    /** Family of small convolutional networks: 5×5 conv + ReLU + 2×2 max-pool blocks, then dense layers. */
    public static final String CNN = "cnn";
    /** Output channels of the convolution blocks of a cnn whose spec gives none. */
    public static final List<Integer> DEFAULT_CONV = List.of(8, 16);
    /** Side of the square convolution kernels. */
    public static final int KERNEL = 5;
    /** Side (and stride) of the max-pool windows. */
    public static final int POOL = 2;
    static final int MAX_CONV_BLOCKS = 4;
    static final int MAX_CHANNELS = 256;
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
            throw TrainingException.invalidSpec("model family is required (softmax, mlp or cnn)");
        }
        String family = spec.family().trim().toLowerCase(Locale.ROOT);
        if (family.equals(SOFTMAX)) {
            return new ModelSpec(SOFTMAX, List.of());
        }
        if (!family.equals(MLP) && !family.equals(CNN)) {
            throw TrainingException.invalidSpec("unknown model family '" + spec.family()
                    + "'; use softmax, mlp or cnn");
        }
        boolean cnn = family.equals(CNN);
        List<Integer> hidden = spec.hidden() == null || spec.hidden().isEmpty() ? (cnn ? List.of() : DEFAULT_HIDDEN)
                : spec.hidden();
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
        if (!cnn) {
            return new ModelSpec(MLP, List.copyOf(widths));
        }
        List<Integer> conv = spec.conv() == null || spec.conv().isEmpty() ? DEFAULT_CONV : spec.conv();
        if (conv.size() > MAX_CONV_BLOCKS) {
            throw TrainingException.invalidSpec("a cnn has at most " + MAX_CONV_BLOCKS + " convolution blocks, got "
                    + conv.size());
        }
        for (Integer c : conv) {
            if (c == null || c < 1 || c > MAX_CHANNELS) {
                throw TrainingException.invalidSpec("convolution channels must be between 1 and " + MAX_CHANNELS
                        + ", got " + conv);
            }
        }
        return new ModelSpec(CNN, List.copyOf(widths), List.copyOf(conv));
    }

    /**
     * Image geometry of a cnn over {@code features} inputs: {@code [side, side after block 1, ...]}, where the input
     * is a one-channel square image of side √features and each block shrinks the side to
     * {@code (side - KERNEL + 1) / POOL}.
     */
    public static int[] imageSides(ModelSpec spec, int features) {
        ModelSpec s = normalize(spec);
        int side = (int) Math.round(Math.sqrt(features));
        if (side * side != features) {
            throw TrainingException.invalidSpec("a cnn reads each row as a square one-channel image, but " + features
                    + " features is not a perfect square");
        }
        int[] sides = new int[s.conv().size() + 1];
        sides[0] = side;
        for (int i = 0; i < s.conv().size(); i++) {
            int next = (sides[i] - KERNEL + 1) / POOL;
            if (next < 1) {
                throw TrainingException.invalidSpec("a " + side + "×" + side + " image is too small for "
                        + s.conv().size() + " blocks of " + KERNEL + "×" + KERNEL + " convolution and " + POOL + "×"
                        + POOL + " pooling");
            }
            sides[i + 1] = next;
        }
        return sides;
    }

    /** Every parameter tensor of a model, in order: name → shape. */
    public static Map<String, int[]> parameterShapes(ModelSpec spec, int features, int classes) {
        ModelSpec s = normalize(spec);
        int[] dims = layerSizes(s, features, classes);
        Map<String, int[]> shapes = new LinkedHashMap<>();
        if (s.family().equals(CNN)) {
            int in = 1;
            for (int i = 0; i < s.conv().size(); i++) {
                int out = s.conv().get(i);
                shapes.put("K" + i, new int[] {out, in, KERNEL, KERNEL});
                shapes.put("c" + i, new int[] {out});
                in = out;
            }
        }
        for (int l = 0; l + 1 < dims.length; l++) {
            shapes.put("W" + l, new int[] {dims[l], dims[l + 1]});
            shapes.put("b" + l, new int[] {dims[l + 1]});
        }
        return shapes;
    }

    /**
     * Dense layer sizes {@code [inputs, hidden..., classes]} of a spec (normalised first); the inputs are the
     * features, or for a cnn the flattened output of the last convolution block.
     */
    public static int[] layerSizes(ModelSpec spec, int features, int classes) {
        ModelSpec s = normalize(spec);
        if (features < 1) {
            throw TrainingException.invalidSpec("features must be ≥ 1, got " + features);
        }
        if (classes < 2) {
            throw TrainingException.invalidSpec("classes must be ≥ 2, got " + classes);
        }
        int[] dims = new int[s.hidden().size() + 2];
        if (s.family().equals(CNN)) {
            int[] sides = imageSides(s, features);
            int side = sides[sides.length - 1];
            dims[0] = s.conv().get(s.conv().size() - 1) * side * side;
        } else {
            dims[0] = features;
        }
        for (int i = 0; i < s.hidden().size(); i++) {
            dims[i + 1] = s.hidden().get(i);
        }
        dims[dims.length - 1] = classes;
        return dims;
    }

    /** Checks that weights hold exactly the tensors of the spec, in order; else {@link TrainingException#incompatible}. */
    public static void checkWeights(ModelSpec spec, Weights weights, int features, int classes) {
        Map<String, int[]> shapes = parameterShapes(spec, features, classes);
        String model = describe(normalize(spec), features, classes);
        if (weights.tensors().size() != shapes.size()) {
            throw TrainingException.incompatible("model " + model + " needs " + shapes.size()
                    + " tensors, got " + weights.tensors().size());
        }
        int i = 0;
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            Tensor t = weights.tensors().get(i++);
            if (!t.name().equals(e.getKey()) || !Arrays.equals(t.shape(), e.getValue())) {
                throw TrainingException.incompatible("model " + model + " expects " + e.getKey() + " "
                        + Arrays.toString(e.getValue()) + ", got " + t.name() + " " + Arrays.toString(t.shape()));
            }
        }
    }

    /**
     * Seeded initial weights: He-uniform for layers followed by ReLU (convolutions: fan-in = in-channels × kernel
     * area), Glorot-uniform for the output layer, zero biases. The same arguments always give the same weights.
     */
    public static Weights initialize(ModelSpec spec, int features, int classes, long seed) {
        Map<String, int[]> shapes = parameterShapes(spec, features, classes);
        SplittableRandom rng = new SplittableRandom(seed);
        String lastW = "W" + (layerSizes(spec, features, classes).length - 2);
        List<Tensor> tensors = new ArrayList<>();
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            int[] shape = e.getValue();
            int size = 1;
            for (int d : shape) {
                size *= d;
            }
            float[] w = new float[size];
            if (shape.length > 1) {
                int fanIn = shape.length == 4 ? shape[1] * shape[2] * shape[3] : shape[0];
                int fanOut = shape.length == 4 ? shape[0] : shape[1];
                double limit = e.getKey().equals(lastW) ? Math.sqrt(6.0 / (fanIn + fanOut)) : Math.sqrt(6.0 / fanIn);
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) ((2 * rng.nextDouble() - 1) * limit);
                }
            }
            tensors.add(new Tensor(e.getKey(), shape, w));
        }
        return new Weights(tensors);
    }

    private static String describe(ModelSpec s, int features, int classes) {
        String dense = describe(layerSizes(s, features, classes));
        return s.family().equals(CNN) ? "cnn " + s.conv() + " → " + dense : dense;
    }

    static String describe(int[] dims) {
        StringBuilder sb = new StringBuilder();
        for (int d : dims) {
            sb.append(sb.length() == 0 ? "" : "-").append(d);
        }
        return sb.toString();
    }
}
