package dev.cnai.energy.impl;

import dev.cnai.energy.EnergyConfig;
import dev.cnai.energy.EnergySource;
import java.lang.management.ManagementFactory;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Reads the counters an interval's energy is computed from, and turns two readings into joules.
 *
 * <p>Process CPU time ({@code com.sun.management.OperatingSystemMXBean#getProcessCpuTime}, all threads of the
 * process) rather than the handling thread's CPU time: ONNX Runtime trains and scores on its own native intra-op
 * threads, which the JVM's per-thread clocks do not see, so the handling thread's clock would miss most of the work.
 */
public final class Counters {
    /** One reading. {@code rapl} is null without RAPL; {@code systemBusyNanos} is -1 when unreadable. */
    record Reading(long processCpuNanos, long[] rapl, long systemBusyNanos) {
    }

    private final LongSupplier processCpu;
    private final Rapl rapl;
    private final ProcStat procStat;
    private final double wattsPerCore;

    Counters(LongSupplier processCpu, Rapl rapl, ProcStat procStat, double wattsPerCore) {
        this.processCpu = processCpu;
        this.rapl = rapl;
        this.procStat = procStat;
        this.wattsPerCore = wattsPerCore;
    }

    /** This process's counters under {@code config}: RAPL when a package domain is readable. */
    public static Counters open(EnergyConfig config) {
        return open(config, processCpuClock());
    }

    static Counters open(EnergyConfig config, LongSupplier processCpu) {
        Optional<Rapl> r = Rapl.open(config.powercap());
        return new Counters(processCpu, r.orElse(null), new ProcStat(config.procStat()), config.wattsPerCore());
    }

    /** The process CPU clock of this JVM, in nanoseconds. */
    static LongSupplier processCpuClock() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun && sun.getProcessCpuTime() >= 0) {
            return sun::getProcessCpuTime;
        }
        // no process clock on this JVM: the sum over the JVM's threads (misses native threads)
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        return () -> {
            long sum = 0;
            for (long id : threads.getAllThreadIds()) {
                sum += Math.max(0, threads.getThreadCpuTime(id));
            }
            return sum;
        };
    }

    public EnergySource source() {
        return rapl != null ? EnergySource.RAPL : EnergySource.ESTIMATE;
    }

    /** How joules are obtained, in words (recorded beside every figure). */
    public String method() {
        return rapl != null
                ? "RAPL package energy (" + rapl.domains() + " domain(s)) x this process's share of busy CPU time "
                        + "(/proc/stat)"
                : String.format(java.util.Locale.ROOT,
                        "estimate: process CPU-seconds x %.2f W per busy core (no readable RAPL counters)",
                        wattsPerCore);
    }

    Reading read() {
        return new Reading(processCpu.getAsLong(), rapl == null ? null : rapl.read(),
                rapl == null ? -1 : procStat.busyNanos());
    }

    /** Joules of this process between two readings. */
    double joules(Reading from, Reading to) {
        double cpuSeconds = Math.max(0, to.processCpuNanos() - from.processCpuNanos()) / 1e9;
        if (rapl == null) {
            return cpuSeconds * wattsPerCore;
        }
        double packageJoules = rapl.joules(from.rapl(), to.rapl());
        long busy = to.systemBusyNanos() - from.systemBusyNanos();
        if (from.systemBusyNanos() < 0 || to.systemBusyNanos() < 0 || busy <= 0) {
            // the machine's busy time did not advance at tick resolution: the process's share is unknowable
            return cpuSeconds > 0 ? Math.min(packageJoules, cpuSeconds * wattsPerCore) : 0;
        }
        double share = Math.min(1, cpuSeconds / (busy / 1e9));
        return packageJoules * share;
    }
}
