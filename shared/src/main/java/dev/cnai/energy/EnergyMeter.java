package dev.cnai.energy;

import dev.cnai.energy.impl.Accounting;
import dev.cnai.energy.impl.Counters;

/**
 * Measures what handling an event costs this process: {@link #start()} when handling begins, {@link Measurement#stop()}
 * when it ends. CPU time is the process's (every thread, ONNX Runtime's native ones included), split equally among
 * measurements in flight at the same time; joules come from RAPL when readable, else from the estimate
 * ({@link EnergyConfig#wattsPerCore()}). Thread-safe; one per process.
 */
public final class EnergyMeter {
    private final Counters counters;
    private final Accounting accounting;

    private EnergyMeter(Counters counters) {
        this.counters = counters;
        this.accounting = new Accounting(counters);
    }

    public static EnergyMeter open(EnergyConfig config) {
        return new EnergyMeter(Counters.open(config));
    }

    /** {@code rapl} when the package counters are readable, else {@code estimate}. */
    public EnergySource source() {
        return counters.source();
    }

    /** How the joules are obtained, in words. */
    public String method() {
        return counters.method();
    }

    public Measurement start() {
        return new Measurement(accounting.start());
    }

    /** One measurement in flight. */
    public final class Measurement {
        private final Accounting.Interval interval;

        private Measurement(Accounting.Interval interval) {
            this.interval = interval;
        }

        /** Ends the measurement (idempotent) and returns its CPU time and energy. */
        public Usage stop() {
            return accounting.stop(interval);
        }
    }
}
