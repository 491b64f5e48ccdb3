package dev.cnai.data;

import java.util.Arrays;
import java.util.Random;

/** Deterministic, stratified train/validation/test splits and training shards. */
public final class Splits {
    private static final double TOLERANCE = 1e-6;

    private Splits() {
    }

    /**
     * Splits row indices {@code 0..y.length-1} per class: each class's rows are shuffled with a
     * {@link Random} seeded by {@code seed} (classes in order), then cut at the rounded cumulative
     * fractions, so every part holds its fraction of each class to within one row. Same inputs, same
     * arrays; each array is sorted ascending.
     *
     * @throws DatasetException when a fraction is negative, the fractions do not sum to 1 (within 1e-6),
     *                          or a label is outside {@code [0, classes)}
     */
    public static Split stratified(int[] y, int classes, double trainFraction, double validationFraction,
            double testFraction, long seed) {
        if (!(trainFraction >= 0) || !(validationFraction >= 0) || !(testFraction >= 0)) {
            throw DatasetException.invalid("split fractions must be non-negative numbers; got train " + trainFraction
                    + ", validation " + validationFraction + ", test " + testFraction);
        }
        double sum = trainFraction + validationFraction + testFraction;
        if (Math.abs(sum - 1.0) > TOLERANCE) {
            throw DatasetException.invalid("split fractions train " + trainFraction + " + validation " + validationFraction
                    + " + test " + testFraction + " sum to " + sum + "; they must sum to 1 (e.g. 0.8, 0.1, 0.1)");
        }
        int[][] byClass = groupByClass(y, identity(y == null ? 0 : y.length), classes);
        Random random = new Random(seed);
        int[] train = new int[y.length];
        int[] validation = new int[y.length];
        int[] test = new int[y.length];
        int nt = 0;
        int nv = 0;
        int ns = 0;
        for (int[] rows : byClass) {
            Sources.shuffle(rows, random);
            int n = rows.length;
            int cut1 = (int) Math.min(n, Math.round(n * trainFraction));
            int cut2 = (int) Math.max(cut1, Math.min(n, Math.round(n * (trainFraction + validationFraction))));
            System.arraycopy(rows, 0, train, nt, cut1);
            nt += cut1;
            System.arraycopy(rows, cut1, validation, nv, cut2 - cut1);
            nv += cut2 - cut1;
            System.arraycopy(rows, cut2, test, ns, n - cut2);
            ns += n - cut2;
        }
        train = Arrays.copyOf(train, nt);
        validation = Arrays.copyOf(validation, nv);
        test = Arrays.copyOf(test, ns);
        Arrays.sort(train);
        Arrays.sort(validation);
        Arrays.sort(test);
        return new Split(train, validation, test);
    }

    /**
     * Deals the given row indices into {@code n} shards, stratified: each class's rows are shuffled
     * (seeded) and dealt round-robin, the dealing position carrying over from class to class, so per
     * class and in total shard sizes differ by at most one. Each shard's rows are then shuffled (seeded),
     * so classes are interleaved within a shard. Same inputs, same arrays.
     *
     * @param rows indices into {@code y} (e.g. {@link Split#train()})
     * @throws DatasetException when {@code n < 1}, {@code n > rows.length}, or a row or label is out of range
     */
    public static int[][] shards(int[] rows, int[] y, int classes, int n, long seed) {
        if (rows == null || y == null) {
            throw DatasetException.invalid("no rows or labels given to shard");
        }
        if (n < 1 || n > rows.length) {
            throw DatasetException.invalid("cannot make " + n + " shards of " + rows.length
                    + " rows; the shard count must be between 1 and the number of training rows");
        }
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] < 0 || rows[i] >= y.length) {
                throw DatasetException.invalid("row index " + rows[i] + " (position " + i + ") is outside the dataset's "
                        + y.length + " rows");
            }
        }
        int[][] byClass = groupByClass(y, rows, classes);
        Random random = new Random(seed);
        int base = rows.length / n;
        int extra = rows.length % n;
        int[][] shards = new int[n][];
        int[] fill = new int[n];
        for (int s = 0; s < n; s++) {
            shards[s] = new int[base + (s < extra ? 1 : 0)];
        }
        int next = 0;
        for (int[] classRows : byClass) {
            Sources.shuffle(classRows, random);
            for (int r : classRows) {
                shards[next][fill[next]++] = r;
                next = (next + 1) % n;
            }
        }
        for (int[] shard : shards) {
            Sources.shuffle(shard, random);
        }
        return shards;
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    /** The given rows grouped by label, each group in the order the rows were given. */
    private static int[][] groupByClass(int[] y, int[] rows, int classes) {
        if (y == null) {
            throw DatasetException.invalid("no labels given to split");
        }
        if (classes < 1) {
            throw DatasetException.invalid("the number of classes is " + classes + "; it must be at least 1");
        }
        int[] counts = new int[classes];
        for (int r : rows) {
            int label = y[r];
            if (label < 0 || label >= classes) {
                throw DatasetException.invalid("row " + r + " has label " + label + ", outside [0, " + classes + ")");
            }
            counts[label]++;
        }
        int[][] groups = new int[classes][];
        for (int c = 0; c < classes; c++) {
            groups[c] = new int[counts[c]];
        }
        int[] fill = new int[classes];
        for (int r : rows) {
            groups[y[r]][fill[y[r]]++] = r;
        }
        return groups;
    }
}
