package dev.cnai.functions.support;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/**
 * Invocation metrics per event type: {@code cnai.function.invocations} (counter) and
 * {@code cnai.function.duration} (timer), tagged {@code function}, {@code type} and {@code outcome}
 * ({@code success}, {@code client_error}, {@code server_error}). Types outside the catalogue are
 * tagged {@code invalid} to keep cardinality low.
 */
@ApplicationScoped
public class FunctionMetrics {
    private final MeterRegistry registry;
    private final FunctionConfig config;

    public FunctionMetrics(MeterRegistry registry, FunctionConfig config) {
        this.registry = registry;
        this.config = config;
    }

    public void invocation(String type, int status, long startNanos) {
        String outcome = status < 400 ? "success" : status < 500 ? "client_error" : "server_error";
        Counter.builder("cnai.function.invocations").description("Events this function handled, by type and outcome")
                .tags("function", config.function(), "type", type, "outcome", outcome).register(registry).increment();
        Timer.builder("cnai.function.duration").description("Time to handle one event, by type and outcome")
                .tags("function", config.function(), "type", type, "outcome", outcome).register(registry).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }
}
