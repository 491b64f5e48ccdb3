package dev.cnai.data;

/**
 * A dense classification dataset held in memory: {@code x} is row-major {@code rows × features},
 * {@code y} holds labels in {@code [0, classes)}.
 */
public record Dataset(int features, int classes, float[] x, int[] y) {

    public int rows() {
        return y.length;
    }

    /** The rows at the given indices, in that order. */
    public Dataset subset(int[] rows) {
        float[] nx = new float[rows.length * features];
        int[] ny = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(x, rows[i] * features, nx, i * features, features);
            ny[i] = y[rows[i]];
        }
        return new Dataset(features, classes, nx, ny);
    }
}
