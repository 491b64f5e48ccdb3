package dev.cnai.training;

import dev.cnai.events.ClassificationMetrics;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void handComputedConfusionMatrix() {
        // true: 0 0 0 1 1 2 ; predicted: 0 0 1 1 0 1 ; class 2 is never predicted
        int[] y = {0, 0, 0, 1, 1, 2};
        float[] p = {
            0.8f, 0.1f, 0.1f,
            0.5f, 0.25f, 0.25f,
            0.2f, 0.7f, 0.1f,
            0.1f, 0.9f, 0.0f,
            0.6f, 0.3f, 0.1f,
            0.3f, 0.4f, 0.3f};
        ClassificationMetrics m = Metrics.of(y, p, 3);
        assertEquals(6, m.samples());
        assertArrayEquals(new long[][] {{2, 1, 0}, {1, 1, 0}, {0, 1, 0}}, m.confusion());
        assertEquals(3.0 / 6, m.accuracy(), 1e-12);
        assertArrayEquals(new double[] {2.0 / 3, 1.0 / 3, 0}, m.precision(), 1e-12);
        assertArrayEquals(new double[] {2.0 / 3, 1.0 / 2, 0}, m.recall(), 1e-12);
        double f1Class1 = 2 * (1.0 / 3) * 0.5 / (1.0 / 3 + 0.5);
        assertArrayEquals(new double[] {2.0 / 3, f1Class1, 0}, m.f1(), 1e-12);
        assertEquals((2.0 / 3 + f1Class1) / 3, m.macroF1(), 1e-12);
        double loss = -(Math.log(0.8f) + Math.log(0.5f) + Math.log(0.2f) + Math.log(0.9f) + Math.log(0.3f)
                + Math.log(0.3f)) / 6;
        assertEquals(loss, m.loss(), 1e-12);
    }

    @Test
    void zeroProbabilityIsClampedAndTiesPickFirstClass() {
        ClassificationMetrics m = Metrics.of(new int[] {1}, new float[] {0.5f, 0f, 0.5f}, 3);
        assertEquals(-Math.log(1e-12), m.loss(), 1e-9);
        assertEquals(1, m.confusion()[1][0]);
    }

    @Test
    void rejectsInconsistentShapes() {
        assertThrows(TrainingException.class, () -> Metrics.of(new int[] {0, 1}, new float[3], 2));
        assertThrows(TrainingException.class, () -> Metrics.of(new int[] {2}, new float[2], 2));
        assertThrows(TrainingException.class, () -> Metrics.of(new int[0], new float[0], 2));
    }
}
