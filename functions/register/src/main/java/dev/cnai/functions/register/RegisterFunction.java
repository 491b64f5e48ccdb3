package dev.cnai.functions.register;

import dev.cnai.events.ModelEvaluated;
import dev.cnai.function.EventSink;
import dev.cnai.pipeline.RegisterStep;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.storage.ObjectStore;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * register: {@code dev.cnai.model.evaluated} → quality gate, ModelPack OCI artifact, {@code production}
 * alias; emits {@code model.registered} and {@code model.promoted}, or {@code model.rejected}.
 */
@ApplicationScoped
public class RegisterFunction {

    /** Quality gate settings. */
    @ConfigMapping(prefix = "cnai.register")
    public interface Config {
        /** Lowest test accuracy accepted when the run request sets none. */
        @WithDefault("0.85")
        double minAccuracy();

        /** How much worse than the production model (test accuracy) a candidate may be and still be promoted. */
        @WithDefault("0.02")
        double championMargin();
    }

    private final RegisterStep step;
    private final EventSink sink;

    public RegisterFunction(ObjectStore store, ModelRegistry registry, Config config, EventSink sink) {
        this.step = new RegisterStep(store, registry, config.minAccuracy(), config.championMargin());
        this.sink = sink;
    }

    @Funq("register")
    public void register(CloudEvent<ModelEvaluated> event) {
        sink.emitAll(step.handle(event.data()));
    }
}
