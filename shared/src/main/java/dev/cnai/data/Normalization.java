package dev.cnai.data;

import dev.cnai.events.NormStats;

/** Global feature normalisation: one mean and one standard deviation over all features of all rows. */
public final class Normalization {
    /** Lower bound of the standard deviation, so constant data does not divide by zero. */
    static final double MIN_STD = 1e-6;

    private Normalization() {
    }

    /** Mean and (population) standard deviation of every feature value of the training data, in double. */
    public static NormStats fit(Dataset train) {
        if (train == null || train.x() == null || train.x().length == 0) {
            throw DatasetException.invalid("cannot fit normalisation on an empty training split; it needs at least one row");
        }
        float[] x = train.x();
        double sum = 0;
        for (float v : x) {
            sum += v;
        }
        double mean = sum / x.length;
        double sq = 0;
        for (float v : x) {
            double d = v - mean;
            sq += d * d;
        }
        double std = Math.sqrt(sq / x.length);
        if (!Double.isFinite(mean) || !Double.isFinite(std)) {
            throw DatasetException.invalid("the training data holds NaN or infinite values; run DatasetValidator.validate first");
        }
        return new NormStats(mean, Math.max(std, MIN_STD));
    }

    /** A new array holding {@code (x - mean) / std}; the input is not modified. */
    public static float[] apply(float[] x, NormStats s) {
        float[] out = new float[x.length];
        double mean = s.mean();
        double std = Math.max(s.std(), MIN_STD);
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) ((x[i] - mean) / std);
        }
        return out;
    }
}
