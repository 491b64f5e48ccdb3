package dev.cnai.functions.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StartupWarmerTest {
    static final AtomicInteger RUNS = new AtomicInteger();

    /** Runs first: its failure must not stop the next warm-up. */
    public static final class Failing implements WarmUp {
        @Override
        public void warm() {
            throw new IllegalStateException("warm-up failure under test");
        }
    }

    public static final class Counting implements WarmUp {
        @Override
        public void warm() {
            RUNS.incrementAndGet();
        }
    }

    @Test
    void runsEveryNamedWarmUpAndSurvivesAFailingOne() {
        RUNS.set(0);
        new StartupWarmer(List.of(new Failing(), new Counting())).run();
        assertEquals(1, RUNS.get());
    }
}
