package dev.cnai.energy;

import java.nio.file.Path;

/**
 * How joules are obtained.
 *
 * @param wattsPerCore power of one fully busy core (vCPU) for the estimate: joules = CPU-seconds × this.
 *                     Default {@value #DEFAULT_WATTS_PER_CORE} W: Cloud Carbon Footprint's average maximum watts
 *                     per vCPU at 100 % utilisation for AWS (Appendix I of its methodology, derived from SPECpower
 *                     results of the processors in AWS's fleet)
 * @param powercap     the powercap sysfs directory holding {@code intel-rapl:N} package domains; when none of them
 *                     is readable the estimate is used
 * @param procStat     the kernel's {@code /proc/stat}, whose busy CPU time apportions RAPL's package energy
 */
public record EnergyConfig(double wattsPerCore, Path powercap, Path procStat) {
    /** Cloud Carbon Footprint, AWS: average maximum watts per vCPU (100 % CPU). */
    public static final double DEFAULT_WATTS_PER_CORE = 3.5;
    public static final Path DEFAULT_POWERCAP = Path.of("/sys/class/powercap");
    public static final Path DEFAULT_PROC_STAT = Path.of("/proc/stat");

    public EnergyConfig {
        if (!(wattsPerCore > 0) || Double.isInfinite(wattsPerCore)) {
            throw EnergyException.invalidConfig("watts per core must be a positive number, got " + wattsPerCore);
        }
        if (powercap == null || procStat == null) {
            throw EnergyException.invalidConfig("powercap and proc stat paths are required");
        }
    }

    /** The defaults: the machine's powercap and {@code /proc/stat}, {@value #DEFAULT_WATTS_PER_CORE} W per core. */
    public static EnergyConfig defaults() {
        return new EnergyConfig(DEFAULT_WATTS_PER_CORE, DEFAULT_POWERCAP, DEFAULT_PROC_STAT);
    }

    public EnergyConfig withWattsPerCore(double watts) {
        return new EnergyConfig(watts, powercap, procStat);
    }
}
