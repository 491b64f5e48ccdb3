package dev.cnai.functions.evaluate;

import dev.cnai.events.Decision;
import dev.cnai.events.RoundCompleted;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.atomic.AtomicLong;

/**
 * evaluate's round meters: {@code cnai.rounds.completed} (counter, tag {@code decision}: {@code continue},
 * {@code early-stop}, {@code done}) and {@code cnai.round.validation.accuracy} (gauge: the last completed round's).
 * The counters are registered at 0 at start-up, so that a query over rounds finds a series before the first round
 * (an {@code ApplicationScoped} bean is otherwise created on first use); the gauge only with the first round, so that
 * it never reads NaN.
 */
@ApplicationScoped
public class RoundMetrics {
    private final MeterRegistry registry;
    /** The last completed round's validation accuracy, as {@link Double#doubleToLongBits} (read by the gauge). */
    private final AtomicLong accuracy = new AtomicLong(Double.doubleToLongBits(Double.NaN));

    public RoundMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void registerAtStart(@Observes StartupEvent started) {
        for (Decision d : Decision.values()) {
            rounds(d);
        }
    }

    /**
     * Counts a completed round and shows its validation accuracy. A redelivery of the report that completed a round,
     * whose emission was unconfirmed, sends the round's events again and counts it again.
     */
    void completed(RoundCompleted rc) {
        rounds(rc.decision()).increment();
        accuracy.set(Double.doubleToLongBits(rc.validationAccuracy()));
        // registering again returns the same gauge
        Gauge.builder("cnai.round.validation.accuracy", accuracy, a -> Double.longBitsToDouble(a.get()))
                .strongReference(true).description("Validation accuracy of the last round this evaluate completed")
                .register(registry);
    }

    private Counter rounds(Decision d) {
        return Counter.builder("cnai.rounds.completed")
                .description("FedAvg rounds this evaluate completed, by decision (continue, early-stop, done)")
                .tag("decision", d.json()).register(registry);
    }
}
