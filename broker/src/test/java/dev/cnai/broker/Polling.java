package dev.cnai.broker;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assertions;

/** Polls a condition until it holds or a generous deadline passes. */
final class Polling {
    private Polling() {
    }

    static void until(BooleanSupplier condition, Duration deadline, Supplier<String> message) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                Assertions.fail(message.get());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                Assertions.fail("interrupted");
            }
        }
    }

    static void until(BooleanSupplier condition, Supplier<String> message) {
        until(condition, Duration.ofSeconds(20), message);
    }
}
