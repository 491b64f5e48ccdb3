package dev.cnai.data;

import java.util.ArrayList;
import java.util.List;

/** Checks that a dataset can be trained on. Rows and feature columns in messages are 0-based. */
public final class DatasetValidator {
    private DatasetValidator() {
    }

    /**
     * Rejects: no rows, fewer than 2 classes or 1 feature, {@code x.length != rows * features}, a NaN or
     * infinite feature, a label outside {@code [0, classes)}, and a class without rows.
     *
     * @throws DatasetException (INVALID_INPUT) naming the first offending row, column, value or class
     */
    public static void validate(Dataset d) {
        checkShape(d);
        int rows = d.rows();
        if (rows == 0) {
            throw DatasetException.invalid("the dataset has no rows; check the source file and the limit in the dataset spec");
        }
        if (d.classes() < 2) {
            throw DatasetException.invalid("the dataset has " + d.classes() + " class; a classifier needs at least 2");
        }
        int[] y = d.y();
        int[] counts = new int[d.classes()];
        for (int r = 0; r < rows; r++) {
            if (y[r] < 0 || y[r] >= d.classes()) {
                throw DatasetException.invalid("row " + r + " has label " + y[r] + ", outside [0, " + d.classes()
                        + "); labels must be 0.." + (d.classes() - 1));
            }
            counts[y[r]]++;
        }
        float[] x = d.x();
        int f = d.features();
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                int bad = 0;
                for (int j = i; j < x.length; j++) {
                    if (!Float.isFinite(x[j])) {
                        bad++;
                    }
                }
                throw DatasetException.invalid("row " + (i / f) + ", feature column " + (i % f) + " is " + x[i]
                        + "; features must be finite numbers (" + bad + " non-finite value" + (bad == 1 ? "" : "s")
                        + " in total): fix or drop those rows");
            }
        }
        List<Integer> empty = new ArrayList<>();
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] == 0) {
                empty.add(c);
            }
        }
        if (!empty.isEmpty()) {
            throw DatasetException.invalid((empty.size() == 1 ? "class " + empty.get(0) + " has" : "classes " + empty + " have")
                    + " no rows among " + rows + "; every class in [0, " + d.classes()
                    + ") needs examples: use more rows (raise the limit) or relabel");
        }
    }

    /**
     * Rejects a dataset whose rows do not have {@code expectedFeatures} features (e.g. data that does
     * not fit a model's input).
     */
    public static void validateFeatures(Dataset d, int expectedFeatures) {
        checkShape(d);
        if (d.features() != expectedFeatures) {
            throw DatasetException.invalid("the dataset has " + d.features() + " features per row but " + expectedFeatures
                    + " are expected; use data with the same dimensions as the model (e.g. 784 = 28x28 for MNIST)");
        }
    }

    private static void checkShape(Dataset d) {
        if (d == null || d.x() == null || d.y() == null) {
            throw DatasetException.invalid("no dataset given (dataset, x or y is null)");
        }
        if (d.features() < 1) {
            throw DatasetException.invalid("the dataset has " + d.features() + " features per row; it needs at least 1");
        }
        long expected = (long) d.rows() * d.features();
        if (d.x().length != expected) {
            throw DatasetException.invalid("the feature array holds " + d.x().length + " values but " + d.rows() + " rows x "
                    + d.features() + " features need " + expected + "; x must be row-major rows x features");
        }
    }
}
