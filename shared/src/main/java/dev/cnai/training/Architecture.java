package dev.cnai.training;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.cnai.events.ModelSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A validated model architecture, parsed once from the wire's {@link ModelSpec} ({@link #of}). Layer {@code i} has
 * weights {@code W{i}} of shape [in, out] and bias {@code b{i}} of shape [out]; hidden layers use ReLU and the last
 * layer feeds a softmax. A {@link Cnn} adds convolution kernels {@code K{i}} [out, in, 5, 5] and biases
 * {@code c{i}} before the dense layers. New families (a text model) are new permitted records.
 *
 * <p>In JSON (the run plan) an architecture is written as its wire form, {@link #toSpec()}.
 */
@JsonSerialize(converter = ConfigJson.ArchitectureToSpec.class)
@JsonDeserialize(converter = ConfigJson.ArchitectureFromSpec.class)
public sealed interface Architecture permits Architecture.Softmax, Architecture.Mlp, Architecture.Cnn {
    /** Side of the square convolution kernels. */
    int KERNEL = 5;
    /** Side (and stride) of the max-pool windows. */
    int POOL = 2;
    /** Hidden widths of an MLP whose spec gives none. */
    List<Integer> DEFAULT_HIDDEN = List.of(128);
    /** Output channels of the convolution blocks of a cnn whose spec gives none. */
    List<Integer> DEFAULT_CONV = List.of(8, 16);
    int MAX_WIDTH = 4096;
    int MAX_HIDDEN_LAYERS = 8;
    int MAX_CONV_BLOCKS = 4;
    int MAX_CHANNELS = 256;

    /** Softmax regression: one layer from features to classes. */
    record Softmax() implements Architecture {
        @Override
        public String family() {
            return "softmax";
        }

        @Override
        public List<Integer> hidden() {
            return List.of();
        }
    }

    /** A multi-layer perceptron with ReLU hidden layers of these widths. */
    record Mlp(List<Integer> hidden) implements Architecture {
        public Mlp {
            hidden = widths(hidden, "an mlp");
        }

        @Override
        public String family() {
            return "mlp";
        }
    }

    /**
     * A small convolutional network: 5×5 conv + ReLU + 2×2 max-pool blocks with these output channels, then dense
     * ReLU layers of these widths (none: one layer from the flattened feature maps to the classes).
     */
    record Cnn(List<Integer> conv, List<Integer> hidden) implements Architecture {
        public Cnn {
            if (conv == null || conv.isEmpty()) {
                throw TrainingException.invalidSpec("a cnn needs at least one convolution block");
            }
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
            conv = List.copyOf(conv);
            hidden = widths(hidden, "a cnn's dense head");
        }

        @Override
        public String family() {
            return "cnn";
        }

        @Override
        public List<Integer> conv() {
            return conv;
        }
    }

    /** The family's wire name: {@code softmax}, {@code mlp} or {@code cnn}. */
    String family();

    /** Widths of the hidden dense ReLU layers, in order (none for softmax). */
    List<Integer> hidden();

    /** Output channels of the convolution blocks, in order (none but for a cnn). */
    default List<Integer> conv() {
        return List.of();
    }

    /** The architecture of a run that names none: an MLP with {@link #DEFAULT_HIDDEN}. */
    static Architecture defaultArchitecture() {
        return new Mlp(DEFAULT_HIDDEN);
    }

    /** Softmax regression. */
    static Architecture softmax() {
        return new Softmax();
    }

    /** An MLP with these hidden widths. */
    static Architecture mlp(Integer... hidden) {
        return new Mlp(List.of(hidden));
    }

    /** A cnn with these convolution channels and hidden widths. */
    static Architecture cnn(List<Integer> conv, List<Integer> hidden) {
        return new Cnn(conv, hidden);
    }

    /**
     * Parses the wire form: family trimmed and case-insensitive; an MLP without hidden widths gets
     * {@link #DEFAULT_HIDDEN}, a cnn without convolution blocks {@link #DEFAULT_CONV}.
     *
     * @throws TrainingException {@code invalidSpec} naming the field and the allowed values
     */
    static Architecture of(ModelSpec spec) {
        if (spec == null || spec.family() == null || spec.family().isBlank()) {
            throw TrainingException.invalidSpec("model family is required (softmax, mlp or cnn)");
        }
        boolean noHidden = spec.hidden() == null || spec.hidden().isEmpty();
        return switch (spec.family().trim().toLowerCase(Locale.ROOT)) {
            case "softmax" -> new Softmax();
            case "mlp" -> new Mlp(noHidden ? DEFAULT_HIDDEN : spec.hidden());
            case "cnn" -> new Cnn(spec.conv() == null || spec.conv().isEmpty() ? DEFAULT_CONV : spec.conv(),
                    noHidden ? List.of() : spec.hidden());
            default -> throw TrainingException.invalidSpec("unknown model family '" + spec.family()
                    + "'; use softmax, mlp or cnn");
        };
    }

    /** The wire form, with every default written out (conv only for a cnn). */
    default ModelSpec toSpec() {
        return new ModelSpec(family(), hidden(), this instanceof Cnn c ? c.conv() : null);
    }

    /**
     * Image geometry of a cnn over {@code features} inputs: {@code [side, side after block 1, ...]}, where the input
     * is a one-channel square image of side √features and each block shrinks the side to
     * {@code (side - KERNEL + 1) / POOL}. Empty for the dense families.
     */
    default int[] imageSides(int features) {
        if (!(this instanceof Cnn)) {
            return new int[0];
        }
        int side = (int) Math.round(Math.sqrt(features));
        if (side * side != features) {
            throw TrainingException.invalidSpec("a cnn reads each row as a square one-channel image, but " + features
                    + " features is not a perfect square");
        }
        int[] sides = new int[conv().size() + 1];
        sides[0] = side;
        for (int i = 0; i < conv().size(); i++) {
            int next = (sides[i] - KERNEL + 1) / POOL;
            if (next < 1) {
                throw TrainingException.invalidSpec("a " + side + "×" + side + " image is too small for "
                        + conv().size() + " blocks of " + KERNEL + "×" + KERNEL + " convolution and " + POOL + "×"
                        + POOL + " pooling");
            }
            sides[i + 1] = next;
        }
        return sides;
    }

    /**
     * Dense layer sizes {@code [inputs, hidden..., classes]}; the inputs are the features, or for a cnn the flattened
     * output of the last convolution block.
     */
    default int[] layerSizes(int features, int classes) {
        if (features < 1) {
            throw TrainingException.invalidSpec("features must be ≥ 1, got " + features);
        }
        if (classes < 2) {
            throw TrainingException.invalidSpec("classes must be ≥ 2, got " + classes);
        }
        int[] dims = new int[hidden().size() + 2];
        if (this instanceof Cnn c) {
            int[] sides = imageSides(features);
            int side = sides[sides.length - 1];
            dims[0] = c.conv().get(c.conv().size() - 1) * side * side;
        } else {
            dims[0] = features;
        }
        for (int i = 0; i < hidden().size(); i++) {
            dims[i + 1] = hidden().get(i);
        }
        dims[dims.length - 1] = classes;
        return dims;
    }

    /** Every parameter tensor of the model, in order: name → shape. */
    default Map<String, int[]> parameterShapes(int features, int classes) {
        int[] dims = layerSizes(features, classes);
        Map<String, int[]> shapes = new LinkedHashMap<>();
        int in = 1;
        for (int i = 0; i < conv().size(); i++) {
            int out = conv().get(i);
            shapes.put("K" + i, new int[] {out, in, KERNEL, KERNEL});
            shapes.put("c" + i, new int[] {out});
            in = out;
        }
        for (int l = 0; l + 1 < dims.length; l++) {
            shapes.put("W" + l, new int[] {dims[l], dims[l + 1]});
            shapes.put("b" + l, new int[] {dims[l + 1]});
        }
        return shapes;
    }

    /** Checks that weights hold exactly the tensors of the model, in order; else {@link TrainingException#incompatible}. */
    default void checkWeights(Weights weights, int features, int classes) {
        Map<String, int[]> shapes = parameterShapes(features, classes);
        if (weights.tensors().size() != shapes.size()) {
            throw TrainingException.incompatible("model " + describe(features, classes) + " needs " + shapes.size()
                    + " tensors, got " + weights.tensors().size());
        }
        int i = 0;
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            Tensor t = weights.tensors().get(i++);
            if (!t.name().equals(e.getKey()) || !Arrays.equals(t.shape(), e.getValue())) {
                throw TrainingException.incompatible("model " + describe(features, classes) + " expects " + e.getKey()
                        + " " + Arrays.toString(e.getValue()) + ", got " + t.name() + " " + Arrays.toString(t.shape()));
            }
        }
    }

    /**
     * Seeded initial weights: He-uniform for layers followed by ReLU (convolutions: fan-in = in-channels × kernel
     * area), Glorot-uniform for the output layer, zero biases. The same arguments always give the same weights.
     */
    default Weights initialize(int features, int classes, long seed) {
        Map<String, int[]> shapes = parameterShapes(features, classes);
        SplittableRandom rng = new SplittableRandom(seed);
        String lastW = "W" + (layerSizes(features, classes).length - 2);
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

    /** A short description such as {@code 784-128-10} or {@code cnn [8, 16] → 256-10}. */
    default String describe(int features, int classes) {
        StringBuilder sb = new StringBuilder();
        for (int d : layerSizes(features, classes)) {
            sb.append(sb.length() == 0 ? "" : "-").append(d);
        }
        return this instanceof Cnn c ? "cnn " + c.conv() + " → " + sb : sb.toString();
    }

    private static List<Integer> widths(List<Integer> hidden, String what) {
        List<Integer> h = hidden == null ? List.of() : hidden;
        if (h.size() > MAX_HIDDEN_LAYERS) {
            throw TrainingException.invalidSpec(what + " has at most " + MAX_HIDDEN_LAYERS + " hidden layers, got "
                    + h.size());
        }
        for (Integer w : h) {
            if (w == null || w < 1 || w > MAX_WIDTH) {
                throw TrainingException.invalidSpec("hidden layer widths must be between 1 and " + MAX_WIDTH
                        + ", got " + h);
            }
        }
        return List.copyOf(h);
    }
}
