package dev.cnai.functions.evaluate;

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
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * evaluate: {@code dev.cnai.shard.trained} → fan-in; when a round is complete, FedAvg + validation and
 * either the next round's {@code shard.assigned} fan-out or the final {@code model.evaluated}. Its span links to
 * the train-shard span of every report of the round it completes (fan-in). Each round it completes counts in
 * {@link RoundMetrics}.
 */
@ApplicationScoped
public class EvaluateFunction {
    private final EvaluateStep step;
    private final EventSink sink;
    private final EventTracing tracing;
    private final FanInTraces fanIn;
    private final RoundMetrics rounds;

    public EvaluateFunction(ObjectStore store, EventSink sink, EventTracing tracing, RoundMetrics rounds) {
        this.step = new EvaluateStep(store);
        this.sink = sink;
        this.tracing = tracing;
        this.fanIn = new FanInTraces(store);
        this.rounds = rounds;
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
                            .forEach(e -> rounds.completed((RoundCompleted) e.data()));
                }
            } catch (RuntimeException e) {
                throw span.error(e);
            }
        }
    }
}
