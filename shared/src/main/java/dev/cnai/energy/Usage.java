package dev.cnai.energy;

/**
 * What one measured interval cost this process.
 *
 * @param cpuSeconds process CPU time attributed to the interval (shared equally with concurrent intervals)
 * @param joules     energy attributed to the interval
 * @param source     measured ({@code rapl}) or estimated
 * @param wallNanos  wall time of the interval
 */
public record Usage(double cpuSeconds, double joules, EnergySource source, long wallNanos) {
}
