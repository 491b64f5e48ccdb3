package dev.cnai.training.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThreadTunerTest {

    /** Runs {@code epochs} epochs where option k takes {@code perRow[k]} seconds per row; returns the options run. */
    private static List<Integer> run(ThreadTuner tuner, int epochs, double... perRow) {
        List<Integer> options = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            int option = tuner.next();
            options.add(option);
            tuner.record(option, perRow[option]);
        }
        return options;
    }

    @Test
    void measuresBothTwiceThenKeepsTheFasterAndReprobesTheOther() {
        ThreadTuner tuner = new ThreadTuner();
        List<Integer> options = run(tuner, 4 + 2 * ThreadTuner.REPROBE_EVERY, 2e-6, 1e-6);
        assertEquals(List.of(0, 1, 0, 1), options.subList(0, 4));
        assertEquals(1, tuner.faster());
        // after the probes the single thread runs, except one epoch in REPROBE_EVERY on the configured threads
        List<Integer> after = options.subList(4, options.size());
        assertEquals(2, after.stream().filter(o -> o == 0).count());
        assertEquals(0, (int) after.get(ThreadTuner.REPROBE_EVERY - 1));
        assertEquals(1e-6, tuner.score(1));
    }

    @Test
    void keepsTheConfiguredThreadsUntilBothAreMeasuredAndOnTies() {
        ThreadTuner tuner = new ThreadTuner();
        assertEquals(0, tuner.faster());
        run(tuner, 3, 1e-6, 1e-7);
        assertEquals(0, tuner.faster());
        run(tuner, 1, 1e-6, 1e-7);
        assertEquals(1, tuner.faster());
        ThreadTuner tie = new ThreadTuner();
        run(tie, 20, 1e-6, 1e-6);
        assertEquals(0, tie.faster());
    }

    @Test
    void switchesBackWhenTheMachineChanges() {
        ThreadTuner tuner = new ThreadTuner();
        run(tuner, 10, 2e-6, 1e-6);
        assertEquals(1, tuner.faster());
        // the second vCPU comes back: the configured threads now take half the time; the next reprobes see it
        run(tuner, 2 * ThreadTuner.REPROBE_EVERY + 2, 0.5e-6, 1e-6);
        assertEquals(0, tuner.faster());
    }
}
