package dev.cnai.broker;

import java.time.Duration;

/**
 * A Trigger's {@code spec.delivery}: retries, backoff, dead-letter sink and optional per-attempt timeout.
 *
 * @param retry number of retries after the first attempt (0 = a single attempt)
 * @param backoffPolicy how the delay grows between retries
 * @param backoffDelay base delay between retries
 * @param deadLetterSink where events go after delivery fails for good, or null
 * @param timeout per-attempt timeout overriding the broker default, or null
 */
public record DeliverySpec(int retry, BackoffPolicy backoffPolicy, Duration backoffDelay, Destination deadLetterSink,
        Duration timeout) {

    /** Longest delay ever waited between two attempts, whatever the policy computes. */
    public static final Duration MAX_DELAY = Duration.ofMinutes(10);

    /** Defaults used when a Trigger has no {@code spec.delivery}: no retry, no dead-letter sink. */
    public static final DeliverySpec DEFAULT =
            new DeliverySpec(0, BackoffPolicy.EXPONENTIAL, Duration.ofMillis(500), null, null);

    /** Knative backoff policies. */
    public enum BackoffPolicy {
        /** delay * 2^n after the n-th failed attempt. */
        EXPONENTIAL,
        /** delay * n after the n-th failed attempt. */
        LINEAR;

        /** Parses {@code exponential} or {@code linear} (case-insensitive). */
        public static BackoffPolicy parse(String text) {
            return switch (text.trim().toLowerCase()) {
                case "exponential" -> EXPONENTIAL;
                case "linear" -> LINEAR;
                default -> throw new IllegalArgumentException(
                        "backoffPolicy must be 'exponential' or 'linear', got '" + text + "'");
            };
        }
    }

    /**
     * Delay to wait after the {@code failedAttempts}-th failed attempt (1-based) before the next one:
     * exponential {@code backoffDelay * 2^failedAttempts}, linear {@code backoffDelay * failedAttempts},
     * capped at {@link #MAX_DELAY}.
     */
    public Duration delayAfter(int failedAttempts) {
        long base = backoffDelay.toNanos();
        double factor = backoffPolicy == BackoffPolicy.EXPONENTIAL
                ? Math.pow(2, Math.min(failedAttempts, 40))
                : failedAttempts;
        double nanos = base * factor;
        if (nanos >= MAX_DELAY.toNanos()) {
            return MAX_DELAY;
        }
        return Duration.ofNanos((long) nanos);
    }
}
