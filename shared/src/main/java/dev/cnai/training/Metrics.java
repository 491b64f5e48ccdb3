package dev.cnai.training;

import dev.cnai.events.ClassificationMetrics;

/** Classification metrics from predicted probabilities. */
public final class Metrics {
    private static final double MIN_PROBABILITY = 1e-12;

    private Metrics() {
    }

    /**
     * Scores predictions (argmax of each row, first maximum on ties) against true labels. Per-class precision,
     * recall and F1 are 0 where undefined; macro-F1 is the mean F1 over all classes; loss is the mean of
     * {@code -log(max(p_true, 1e-12))}; {@code confusion[true][predicted]}.
     *
     * @param probabilities row-major {@code yTrue.length × classes}
     */
    public static ClassificationMetrics of(int[] yTrue, float[] probabilities, int classes) {
        if (yTrue == null || probabilities == null || yTrue.length == 0) {
            throw TrainingException.invalidData("metrics need at least one labelled row");
        }
        if (classes < 1 || (long) yTrue.length * classes != probabilities.length) {
            throw TrainingException.invalidData(probabilities.length + " probabilities do not fit " + yTrue.length
                    + " rows × " + classes + " classes");
        }
        int n = yTrue.length;
        long[][] confusion = new long[classes][classes];
        double loss = 0;
        long correct = 0;
        for (int r = 0; r < n; r++) {
            int y = yTrue[r];
            if (y < 0 || y >= classes) {
                throw TrainingException.invalidData("label " + y + " of row " + r + " is outside [0, " + classes + ")");
            }
            int o = r * classes;
            int best = 0;
            for (int k = 1; k < classes; k++) {
                if (probabilities[o + k] > probabilities[o + best]) {
                    best = k;
                }
            }
            confusion[y][best]++;
            if (best == y) {
                correct++;
            }
            loss -= Math.log(Math.max(probabilities[o + y], MIN_PROBABILITY));
        }
        double[] precision = new double[classes];
        double[] recall = new double[classes];
        double[] f1 = new double[classes];
        double f1Sum = 0;
        for (int k = 0; k < classes; k++) {
            long tp = confusion[k][k];
            long predicted = 0;
            long actual = 0;
            for (int j = 0; j < classes; j++) {
                predicted += confusion[j][k];
                actual += confusion[k][j];
            }
            precision[k] = predicted == 0 ? 0 : (double) tp / predicted;
            recall[k] = actual == 0 ? 0 : (double) tp / actual;
            double s = precision[k] + recall[k];
            f1[k] = s == 0 ? 0 : 2 * precision[k] * recall[k] / s;
            f1Sum += f1[k];
        }
        return new ClassificationMetrics(n, (double) correct / n, f1Sum / classes, loss / n, precision, recall, f1,
                confusion);
    }
}
