package dev.cnai.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.testing.Fixtures;
import org.junit.jupiter.api.Test;

class FixturesTest {

    @Test
    void blobsAreDeterministicBalancedAndInRange() {
        Dataset a = Fixtures.blobs(101, 6, 4, 9);
        Dataset b = Fixtures.blobs(101, 6, 4, 9);
        assertArrayEquals(a.x(), b.x(), 0f);
        assertArrayEquals(a.y(), b.y());
        int[] counts = new int[4];
        for (int y : a.y()) {
            counts[y]++;
        }
        for (int n : counts) {
            assertTrue(n == 25 || n == 26, "class size " + n);
        }
        for (float v : a.x()) {
            assertTrue(v >= 0f && v <= 1f);
        }
        DatasetValidator.validate(a);
    }

    @Test
    void blobsAreLearnableByNearestCentroid() {
        Dataset d = Fixtures.blobs(400, 8, 5, 1);
        Split s = Splits.stratified(d.y(), d.classes(), 0.5, 0.0, 0.5, 1);
        double[][] centroid = new double[d.classes()][d.features()];
        int[] n = new int[d.classes()];
        for (int r : s.train()) {
            n[d.y()[r]]++;
            for (int j = 0; j < d.features(); j++) {
                centroid[d.y()[r]][j] += d.x()[r * d.features() + j];
            }
        }
        int correct = 0;
        for (int r : s.test()) {
            int best = -1;
            double bestDistance = Double.MAX_VALUE;
            for (int c = 0; c < d.classes(); c++) {
                double dist = 0;
                for (int j = 0; j < d.features(); j++) {
                    double diff = d.x()[r * d.features() + j] - centroid[c][j] / n[c];
                    dist += diff * diff;
                }
                if (dist < bestDistance) {
                    bestDistance = dist;
                    best = c;
                }
            }
            correct += best == d.y()[r] ? 1 : 0;
        }
        assertTrue(correct >= 0.95 * s.test().length, correct + " of " + s.test().length);
    }

    @Test
    void writeIdxUsesTheStandardHeader(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path images = dir.resolve("i");
        java.nio.file.Path labels = dir.resolve("l");
        Fixtures.writeIdx(images, labels, Fixtures.blobs(3, 784, 2, 1));
        java.nio.ByteBuffer h = java.nio.ByteBuffer.wrap(java.nio.file.Files.readAllBytes(images));
        assertEquals(0x00000803, h.getInt());
        assertEquals(3, h.getInt());
        assertEquals(28, h.getInt());
        assertEquals(28, h.getInt());
        assertEquals(16 + 3 * 784, h.capacity());
        java.nio.ByteBuffer l = java.nio.ByteBuffer.wrap(java.nio.file.Files.readAllBytes(labels));
        assertEquals(0x00000801, l.getInt());
        assertEquals(3, l.getInt());
    }
}
