package dev.cnai.broker;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * Admission control at the ingress: back-pressure instead of loss. While the deliveries pending (queued, in flight
 * or waiting for a retry) are at or above the capacity, new events are refused (the ingress answers 429 with
 * {@code Retry-After}) before they are accepted or logged; senders retry, and nothing that was accepted is dropped.
 * Refusals are counted and reported as a summary (once when an overload starts, then every {@code reportEvery}
 * while it lasts, and once when it ends), not a line per refusal, so an event storm cannot flood the log.
 */
public final class Admission implements AutoCloseable {

    /** Seconds a refused sender is told to wait ({@code Retry-After}). */
    public static final int RETRY_AFTER_SECONDS = 1;

    private final int capacity;
    private final IntSupplier pending;
    private final EventLog log;
    private final BrokerMetrics metrics;
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong reported = new AtomicLong();
    private final AtomicBoolean overloaded = new AtomicBoolean();
    private final Duration reportEvery;
    private final ScheduledExecutorService reporter;

    /**
     * @param capacity pending deliveries at which new events are refused
     * @param pending the current number of pending deliveries
     * @param reportEvery how often an ongoing overload is summarised in the log
     */
    public Admission(int capacity, IntSupplier pending, EventLog log, Duration reportEvery) {
        this(capacity, pending, log, reportEvery, BrokerMetrics.none());
    }

    /** Like {@link #Admission(int, IntSupplier, EventLog, Duration)}, counting every refusal in {@code metrics}. */
    public Admission(int capacity, IntSupplier pending, EventLog log, Duration reportEvery, BrokerMetrics metrics) {
        this.metrics = metrics;
        this.capacity = capacity;
        this.pending = pending;
        this.log = log;
        this.reportEvery = reportEvery;
        this.reporter = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "broker-overload-report");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(100, reportEvery.toMillis());
        reporter.scheduleWithFixedDelay(this::report, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** True when a new event may be accepted now; false (and counted) when it must be refused. */
    public boolean admit() {
        int p = pending.getAsInt();
        if (p < capacity) {
            return true;
        }
        refused.incrementAndGet();
        metrics.admissionRejected(BrokerMetrics.Refusal.OVERLOADED);
        if (overloaded.compareAndSet(false, true)) {
            log.info("OVERLOAD " + p + " deliveries pending (capacity " + capacity + "): refusing new events with "
                    + "429 until fewer are pending; refusals are summarised every " + reportEvery.toSeconds() + " s");
        }
        return false;
    }

    /** Counts an event refused because the ingress threads' backlog was full (before admission was asked). */
    public void refusedBusy() {
        refused.incrementAndGet();
        metrics.admissionRejected(BrokerMetrics.Refusal.INGRESS_BUSY);
        if (overloaded.compareAndSet(false, true)) {
            log.info("OVERLOAD the ingress backlog is full: refusing new events with 429; refusals are summarised "
                    + "every " + reportEvery.toSeconds() + " s");
        }
    }

    /** The error message a refused sender gets. */
    public String refusal() {
        return "broker overloaded: " + pending.getAsInt() + " deliveries pending (capacity " + capacity
                + "); the event was NOT accepted, send it again after " + RETRY_AFTER_SECONDS + " s (Retry-After), "
                + "or start the broker with a larger --queue-capacity or more --workers";
    }

    /** Events refused since the broker started. */
    public long refused() {
        return refused.get();
    }

    /** The admission limit. */
    public int capacity() {
        return capacity;
    }

    /** Logs a summary of the refusals since the last one (called periodically). */
    void report() {
        long total = refused.get();
        long delta = total - reported.getAndSet(total);
        if (delta > 0) {
            log.info("OVERLOAD refused " + delta + " events with 429 in the last " + reportEvery.toSeconds()
                    + " s (" + pending.getAsInt() + " deliveries pending, capacity " + capacity + "; " + total
                    + " refused in all)");
        } else if (overloaded.compareAndSet(true, false)) {
            log.info("overload over: " + pending.getAsInt() + " deliveries pending (capacity " + capacity + "); "
                    + total + " events refused in all");
        }
    }

    @Override
    public void close() {
        reporter.shutdownNow();
    }
}
