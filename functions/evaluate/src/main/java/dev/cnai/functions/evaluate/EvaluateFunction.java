package dev.cnai.functions.evaluate;

import dev.cnai.events.Decision;
import dev.cnai.events.OutgoingEvent;
import dev.cnai.events.RoundCompleted;
import dev.cnai.events.ShardTrained;
import dev.cnai.functions.support.EventSink;
import dev.cnai.functions.support.EventTracing;
import dev.cnai.tracing.FanInTraces;
import dev.cnai.tracing.StepSpan;
import dev.cnai.pipeline.EvaluateStep;
import dev.cnai.storage.ObjectStore;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * evaluate: {@code dev.cnai.shard.trained} → fan-in; when a round is complete, FedAvg + validation and
 * either the next round's {@code shard.assigned} fan-out or the final {@code model.evaluated}. Its span links to
 * the train-shard span of every report of the round it completes (fan-in). Each completed round counts in
 * {@code cnai.rounds.completed} (tag {@code decision}) and sets the gauge {@code cnai.round.validation.accuracy}.
 */
@ApplicationScoped
public class EvaluateFunction {
    private final EvaluateStep step;
    private final EventSink sink;
    private final EventTracing tracing;
    private final FanInTraces fanIn;
    private final MeterRegistry metrics;
    /** The last completed round's validation accuracy, as {@link Double#doubleToLongBits} (read by the gauge). */
    private final AtomicLong accuracy = new AtomicLong(Double.doubleToLongBits(Double.NaN));

    public EvaluateFunction(ObjectStore store, EventSink sink, EventTracing tracing, MeterRegistry metrics) {
        this.step = new EvaluateStep(store);
        this.sink = sink;
        this.tracing = tracing;
        this.fanIn = new FanInTraces(store);
        this.metrics = metrics;
        // at 0 from the start: a query over rounds finds a series before the first round completes
        for (Decision d : Decision.values()) {
            rounds(d);
        }
    }

    @Funq("evaluate")
    public void evaluate(CloudEvent<ShardTrained> event) {
        ShardTrained t = event.data();
        try (StepSpan span = tracing.consume(event, t.runId()).round(t.round()).shard(t.shard())) {
            try {
                fanIn.record(t.runId(), t.round(), t.shard(), span.parent().orElse(null));
                // the delivery that completed the round emits its outcome: its span links to every shard's span
                List<OutgoingEvent> sent = step.handle(t, span.sender(sink::emitAll));
                if (!sent.isEmpty()) {
                    fanIn.contexts(t.runId(), t.round(), t.shardCount()).forEach(span::link);
                    sent.stream().filter(e -> e.data() instanceof RoundCompleted)
                            .forEach(e -> roundCompleted((RoundCompleted) e.data()));
                }
            } catch (RuntimeException e) {
                throw span.error(e);
            }
        }
    }

    /**
     * Counts a completed round and shows its validation accuracy. A redelivery of the report that completed a round,
     * whose emission was unconfirmed, sends the round's events again and counts it again.
     */
    private void roundCompleted(RoundCompleted rc) {
        rounds(rc.decision()).increment();
        accuracy.set(Double.doubleToLongBits(rc.validationAccuracy()));
        // registered with the first round (not NaN before it); registering again returns the same gauge
        Gauge.builder("cnai.round.validation.accuracy", accuracy, a -> Double.longBitsToDouble(a.get()))
                .strongReference(true).description("Validation accuracy of the last round this evaluate completed")
                .register(metrics);
    }

    private Counter rounds(Decision d) {
        return Counter.builder("cnai.rounds.completed")
                .description("FedAvg rounds this evaluate completed, by decision (continue, early-stop, done)")
                .tag("decision", d.json()).register(metrics);
    }
}
