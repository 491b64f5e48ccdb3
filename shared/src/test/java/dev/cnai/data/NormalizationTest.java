package dev.cnai.data;

import dev.cnai.events.NormStats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cnai.testing.Fixtures;
import org.junit.jupiter.api.Test;

class NormalizationTest {

    @Test
    void fitsGlobalMeanAndPopulationStd() {
        Dataset d = new Dataset(2, 2, new float[] {1, 2, 3, 4}, new int[] {0, 1});
        NormStats s = Normalization.fit(d);
        assertEquals(2.5, s.mean(), 1e-12);
        assertEquals(Math.sqrt(1.25), s.std(), 1e-12);
    }

    @Test
    void constantDataGetsTheStdFloor() {
        NormStats s = Normalization.fit(new Dataset(2, 2, new float[] {3, 3, 3, 3}, new int[] {0, 1}));
        assertEquals(3.0, s.mean(), 0);
        assertEquals(1e-6, s.std(), 0);
    }

    @Test
    void applyReturnsANewNormalisedArray() {
        float[] x = {1, 2, 3, 4};
        float[] out = Normalization.apply(x, new NormStats(2.5, 0.5));
        assertNotSame(x, out);
        assertArrayEquals(new float[] {-3, -1, 1, 3}, out, 1e-6f);
        assertArrayEquals(new float[] {1, 2, 3, 4}, x, 0f);
    }

    @Test
    void normalisedTrainingDataHasZeroMeanUnitStd() {
        Dataset d = Fixtures.blobs(200, 16, 4, 3);
        NormStats s = Normalization.fit(d);
        NormStats after = Normalization.fit(new Dataset(d.features(), d.classes(), Normalization.apply(d.x(), s), d.y()));
        assertEquals(0.0, after.mean(), 1e-5);
        assertEquals(1.0, after.std(), 1e-5);
    }

    @Test
    void rejectsEmptyTrainingData() {
        assertThrows(DatasetException.class, () -> Normalization.fit(new Dataset(2, 2, new float[0], new int[0])));
    }
}
