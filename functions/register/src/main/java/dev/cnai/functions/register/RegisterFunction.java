package dev.cnai.functions.register;

import dev.cnai.events.ModelEvaluated;
import dev.cnai.events.ModelRegistered;
import dev.cnai.events.OutgoingEvent;
import dev.cnai.functions.support.EventSink;
import dev.cnai.functions.support.EventTracing;
import dev.cnai.tracing.StepSpan;
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
    private final EventTracing tracing;

    public RegisterFunction(ObjectStore store, ModelRegistry registry, RegisterConfig config,
            RegisterStep.Rollout rollout, EventSink sink, EventTracing tracing) {
        this.step = new RegisterStep(store, registry, config.minAccuracy(), config.championMargin(), rollout);
        this.sink = sink;
        this.tracing = tracing;
    }

    @Funq("register")
    public void register(CloudEvent<ModelEvaluated> event) {
        try (StepSpan span = tracing.consume(event, event.data().runId())) {
            try {
                span.model(event.data().modelName(), null);
                step.handle(event.data(), span.context().orElse(null), span.sender(sink::emitAll)).stream()
                        .map(OutgoingEvent::data).filter(ModelRegistered.class::isInstance).map(ModelRegistered.class::cast)
                        .findFirst().ifPresent(r -> span.model(r.modelName(), r.version()));
            } catch (RuntimeException e) {
                throw span.error(e);
            }
        }
    }
}
