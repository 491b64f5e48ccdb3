package dev.cnai.events;

/**
 * Scores of a classifier on a labelled split. {@code confusion[t][p]} counts rows of true class t
 * predicted as p. {@code loss} is the mean cross-entropy.
 */
public record ClassificationMetrics(int samples, double accuracy, double macroF1, double loss,
        double[] precision, double[] recall, double[] f1, long[][] confusion) {
}
