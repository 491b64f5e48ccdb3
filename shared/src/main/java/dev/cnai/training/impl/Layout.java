package dev.cnai.training.impl;

import dev.cnai.training.Architecture;
import java.util.Arrays;
import java.util.Map;

/**
 * The shapes of a model: dense layer sizes, convolution channels and image sides, and every parameter tensor.
 *
 * @param cnn        whether the model has convolution blocks
 * @param features   input features per row
 * @param classes    output classes
 * @param dense      dense layer sizes [inputs, hidden..., classes]
 * @param conv       output channels per convolution block (empty unless cnn)
 * @param sides      image side before each block and after the last (only cnn)
 * @param parameters parameter name → shape, in weight order
 */
public record Layout(boolean cnn, int features, int classes, int[] dense, int[] conv, int[] sides,
        Map<String, int[]> parameters) {

    public static Layout of(Architecture architecture, int features, int classes) {
        boolean cnn = architecture instanceof Architecture.Cnn;
        int[] conv = architecture.conv().stream().mapToInt(Integer::intValue).toArray();
        return new Layout(cnn, features, classes, architecture.layerSizes(features, classes), conv,
                architecture.imageSides(features), architecture.parameterShapes(features, classes));
    }

    public int kernel() {
        return Architecture.KERNEL;
    }

    public int pool() {
        return Architecture.POOL;
    }

    /** Whether a parameter is a weight tensor (W or K) that L2 decay applies to, rather than a bias. */
    public static boolean isWeight(String name) {
        return name.startsWith("W") || name.startsWith("K");
    }

    /** Floating-point operations of forward + backward per sample (multiply-adds count 2). */
    public double flopsPerSample() {
        double flops = 0;
        for (int l = 0; l + 1 < dense.length; l++) {
            // forward x·W, backward xᵀ·δ (and δ·Wᵀ except for the first layer of an MLP)
            flops += 2.0 * dense[l] * dense[l + 1] * (l == 0 && !cnn ? 2 : 3);
        }
        int in = 1;
        for (int i = 0; i < conv.length; i++) {
            int out = sides[i] - kernel() + 1;
            double macs = (double) out * out * conv[i] * in * kernel() * kernel();
            flops += 2.0 * macs * (i == 0 ? 2 : 3);
            in = conv[i];
        }
        return flops;
    }

    /** The shapes in a word: {@code 784-128-10}, or {@code conv[16, 32] 784-128-10}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (cnn) {
            sb.append("conv").append(Arrays.toString(conv)).append(' ');
        }
        for (int d : dense) {
            sb.append(sb.length() == 0 || sb.charAt(sb.length() - 1) == ' ' ? "" : "-").append(d);
        }
        return sb.toString();
    }
}
