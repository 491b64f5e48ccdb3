package dev.cnai.functions.support;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.lang.management.ManagementFactory;

/**
 * Keeps {@code /q/metrics} free of what {@code promtool check metrics} lints (PrometheusIT runs it on every function).
 * Micrometer's processor binder exports {@code process_cpu_time_ns_total} ("abbreviated units") and
 * {@code system_cpu_count} (a gauge with a {@code _count} suffix); the first is replaced by the Prometheus
 * convention {@code process_cpu_seconds_total}, the second renamed {@code system_cpu_cores}. Quarkus applies
 * {@link MeterFilter} beans to its registry and binds {@link MeterBinder} beans to it.
 */
@Singleton
public class MetricNames {

    /** Drops {@code process.cpu.time} (nanoseconds) and renames {@code system.cpu.count}. */
    @Produces
    @Singleton
    MeterFilter promtoolClean() {
        return new MeterFilter() {
            @Override
            public MeterFilterReply accept(Meter.Id id) {
                return id.getName().equals("process.cpu.time") ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
            }

            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpu.cores") : id;
            }
        };
    }

    /**
     * {@code process_cpu_seconds_total}: CPU time this JVM used, from
     * {@link com.sun.management.OperatingSystemMXBean#getProcessCpuTime()}; absent where the JVM does not offer it.
     */
    @Produces
    @Singleton
    MeterBinder processCpuSeconds() {
        return registry -> {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                    && os.getProcessCpuTime() >= 0) {
                FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9).baseUnit("seconds")
                        .description("CPU time used by this process").register(registry);
            }
        };
    }
}
