package dev.cnai.data;

import dev.cnai.events.NormStats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NormStatsTest {
    @Test
    void usableStatsPassThrough() {
        NormStats s = new NormStats(-2.5, 1e-6);
        assertSame(s, NormStats.require(s, IllegalArgumentException::new));
        NormStats fitted = Normalization.fit(new Dataset(2, 2, new float[] {3, 3, 3, 3}, new int[] {0, 1}));
        assertSame(fitted, NormStats.require(fitted, IllegalArgumentException::new));
    }

    @Test
    void unusableStatsAreRefusedWithTheCallersException() {
        NormStats[] bad = {null, new NormStats(0, 0), new NormStats(0, -1), new NormStats(Double.NaN, 1),
            new NormStats(0, Double.POSITIVE_INFINITY), new NormStats(1e300, 1), new NormStats(0, 1e-50)};
        for (NormStats s : bad) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> NormStats.require(s, IllegalStateException::new));
            assertTrue(e.getMessage().startsWith("normalisation stats need a finite mean and a positive std"),
                    e.getMessage());
            assertEquals(true, e.getMessage().endsWith("got " + s), e.getMessage());
        }
    }
}
