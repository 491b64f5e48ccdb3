package dev.cnai.energy.impl;

import dev.cnai.energy.Usage;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Apportions the process's CPU time and energy among the intervals in flight. At every start and stop the counters
 * are read and what they advanced since the previous reading is split equally among the intervals open during it,
 * so concurrent deliveries in one process never count the same CPU-second twice: the intervals' CPU time sums to
 * the process's CPU time while at least one is open. Work done while none is open (JIT, GC after a response,
 * timers) is attributed to none.
 */
public final class Accounting {
    /** One open interval. */
    public static final class Interval {
        private final long startNanos = System.nanoTime();
        private double cpuNanos;
        private double joules;
        private long wallNanos;
        private boolean open = true;
    }

    private final Counters counters;
    private final Set<Interval> open = new LinkedHashSet<>();
    private Counters.Reading last;

    public Accounting(Counters counters) {
        this.counters = counters;
    }

    public synchronized Interval start() {
        advance();
        Interval i = new Interval();
        open.add(i);
        return i;
    }

    /** Closes the interval and returns its share; a second stop returns the same figures. */
    public synchronized Usage stop(Interval i) {
        if (i.open) {
            advance();
            open.remove(i);
            i.open = false;
            i.wallNanos = System.nanoTime() - i.startNanos;
            if (open.isEmpty()) {
                last = null;
            }
        }
        return new Usage(i.cpuNanos / 1e9, i.joules, counters.source(), i.wallNanos);
    }

    /** Intervals in flight (for tests). */
    synchronized int inFlight() {
        return open.size();
    }

    private void advance() {
        Counters.Reading now = counters.read();
        if (last != null && !open.isEmpty()) {
            int n = open.size();
            double cpu = Math.max(0, now.processCpuNanos() - last.processCpuNanos()) / (double) n;
            double joules = counters.joules(last, now) / n;
            for (Interval i : open) {
                i.cpuNanos += cpu;
                i.joules += joules;
            }
        }
        last = now;
    }
}
