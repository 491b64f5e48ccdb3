package dev.cnai.functions.register;

import dev.cnai.events.ModelEvaluated;
import dev.cnai.functions.support.EventSink;
import dev.cnai.pipeline.RegisterStep;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.storage.ObjectStore;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * register: {@code dev.cnai.model.evaluated} → quality gate, ModelPack OCI artifact, {@code production}
 * alias, canary rollout of infer on Knative (when on a cluster); emits {@code model.registered} and
 * {@code model.promoted}, or {@code model.rejected}.
 */
@ApplicationScoped
public class RegisterFunction {
    private final RegisterStep step;
    private final EventSink sink;

    public RegisterFunction(ObjectStore store, ModelRegistry registry, RegisterConfig config,
            RegisterStep.Rollout rollout, EventSink sink) {
        this.step = new RegisterStep(store, registry, config.minAccuracy(), config.championMargin(), rollout);
        this.sink = sink;
    }

    @Funq("register")
    public void register(CloudEvent<ModelEvaluated> event) {
        step.handle(event.data(), sink::emitAll);
    }
}
