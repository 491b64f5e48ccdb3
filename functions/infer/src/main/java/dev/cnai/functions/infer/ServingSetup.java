package dev.cnai.functions.infer;

import dev.cnai.registry.ModelRegistry;
import dev.cnai.serving.ModelServer;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Owns the {@link ModelServer}: loads the production model at start, closes ONNX Runtime at stop, reports readiness. */
@ApplicationScoped
public class ServingSetup {

    /** infer settings. */
    @ConfigMapping(prefix = "cnai.infer")
    public interface Config {
        /** Registry name of the model this server serves. */
        @WithDefault("mnist-mlp")
        String model();

        /** Alias (or version) loaded at start. */
        @WithDefault("production")
        String alias();

        /** ONNX Runtime intra-op threads per session; match the container's CPU limit. */
        @WithDefault("1")
        int intraOpThreads();
    }

    @Produces
    @ApplicationScoped
    ModelServer modelServer(ModelRegistry registry, Config config) {
        return new ModelServer(registry, config.model(), config.intraOpThreads());
    }

    void close(@Disposes ModelServer server) {
        server.close();
    }

    void loadAtStart(@Observes StartupEvent ev, ModelServer server, Config config) {
        server.loadIfPresent(config.alias());
    }

    @Produces
    @Readiness
    HealthCheck modelLoaded(ModelServer server) {
        return () -> HealthCheckResponse.named("model").status(server.ready())
                .withData("model", server.modelName())
                .withData("version", server.served().map(ModelServer.Loaded::version).orElse("none")).build();
    }
}
