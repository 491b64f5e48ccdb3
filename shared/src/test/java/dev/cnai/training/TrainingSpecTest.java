package dev.cnai.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TrainingSpecTest {

    @Test
    void theLearningRateIsConstantAcrossRoundsByDefault() {
        TrainingSpec o = new TrainingSpec(10, 1, 32, 0.05, 0.9, 1e-4, 3, 42L);
        assertEquals(1.0, o.withDefaults().lrDecay());
        assertEquals(0.05, o.forRound(1).learningRate());
        assertEquals(0.05, o.forRound(7).learningRate());
    }

    @Test
    void roundRTrainsWithTheRateDecayedRMinusOneTimes() {
        TrainingSpec o = new TrainingSpec(10, 1, 32, null, null, null, null, null, "adam", null, null, null, null,
                0.9);
        assertEquals(0.001, o.forRound(1).learningRate(), 1e-15);
        assertEquals(0.001 * 0.81, o.forRound(3).learningRate(), 1e-15);
        assertEquals(0.9, o.forRound(3).lrDecay());
        assertEquals("adam", o.forRound(3).optimizer());
    }

    @Test
    void aDecayOutsideZeroToOneIsRefused() {
        for (double bad : new double[] {0, -0.5, 1.5, Double.NaN}) {
            TrainingSpec o = new TrainingSpec(10, 1, 32, 0.05, 0.9, 1e-4, 3, 42L, null, null, null, null, null, bad)
                    .withDefaults();
            TrainingException e = assertThrows(TrainingException.class, () -> TrainingInputs.checkOptions(o));
            assertEquals(true, e.getMessage().contains("lrDecay must be in (0, 1]"), e.getMessage());
        }
    }
}
