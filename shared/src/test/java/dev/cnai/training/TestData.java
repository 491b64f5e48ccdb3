package dev.cnai.training;

import dev.cnai.data.Dataset;
import java.util.Random;

/** Seeded synthetic datasets for tests. */
public final class TestData {
    private TestData() {
    }

    /**
     * Gaussian blobs: {@code classes} centres drawn from N(offset, spread²) per feature, each row its class
     * centre plus N(0, 1) noise; labels cycle through the classes.
     */
    public static Dataset blobs(int rows, int features, int classes, double spread, double offset, long seed) {
        Random rng = new Random(seed);
        double[][] centres = new double[classes][features];
        for (double[] c : centres) {
            for (int i = 0; i < features; i++) {
                c[i] = offset + spread * rng.nextGaussian();
            }
        }
        float[] x = new float[rows * features];
        int[] y = new int[rows];
        for (int r = 0; r < rows; r++) {
            y[r] = r % classes;
            for (int i = 0; i < features; i++) {
                x[r * features + i] = (float) (centres[y[r]][i] + rng.nextGaussian());
            }
        }
        return new Dataset(features, classes, x, y);
    }
}
