package dev.cnai.functions.evaluate;

import dev.cnai.events.ShardTrained;
import dev.cnai.functions.support.EventSink;
import dev.cnai.pipeline.EvaluateStep;
import dev.cnai.storage.ObjectStore;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * evaluate: {@code dev.cnai.shard.trained} → fan-in; when a round is complete, FedAvg + validation and
 * either the next round's {@code shard.assigned} fan-out or the final {@code model.evaluated}.
 */
@ApplicationScoped
public class EvaluateFunction {
    private final EvaluateStep step;
    private final EventSink sink;

    public EvaluateFunction(ObjectStore store, EventSink sink) {
        this.step = new EvaluateStep(store);
        this.sink = sink;
    }

    @Funq("evaluate")
    public void evaluate(CloudEvent<ShardTrained> event) {
        step.handle(event.data(), sink::emitAll);
    }
}
