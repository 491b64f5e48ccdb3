package dev.cnai.functions.infer;

import dev.cnai.registry.ModelRegistry;
import dev.cnai.serving.ModelServer;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/** Owns the {@link ModelServer}: loads the production model at start, closes ONNX Runtime at stop, reports readiness. */
@ApplicationScoped
public class ServingSetup {
    private static final Logger LOG = Logger.getLogger(ServingSetup.class);

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

        /** Dynamic batching of Open Inference Protocol requests (Triton's names). */
        Batching batching();
    }

    /** Dynamic batcher settings, named after Triton's model configuration. */
    public interface Batching {
        /** Most rows run in one ONNX Runtime call; 1 turns dynamic batching off (batch-1 serving). */
        @WithDefault("64")
        int maxBatchSize();

        /** How long a runner holding a partial batch waits for more requests; 0 runs what is queued at once. */
        @WithDefault("0")
        int maxQueueDelayMicroseconds();

        /** Requests that may wait; one more is refused with 429 and Retry-After (memory stays bounded). */
        @WithDefault("256")
        int maxQueueSize();

        /** Batches that may run at the same time (Triton's instance_group count), each on a worker thread. */
        @WithDefault("1")
        int instanceCount();
    }

    @Produces
    @ApplicationScoped
    ModelServer modelServer(ModelRegistry registry, Config config) {
        return new ModelServer(registry, config.model(), config.intraOpThreads());
    }

    void close(@Disposes ModelServer server) {
        server.close();
    }

    /**
     * Loads the start-up alias on a worker thread, so ONNX Runtime's native library and session are set up
     * while the HTTP server starts; readiness stays false until the model is served.
     */
    void loadAtStart(@Observes StartupEvent ev, ModelServer server, Config config) {
        Infrastructure.getDefaultWorkerPool().execute(() -> {
            try {
                server.loadIfPresent(config.alias());
            } catch (RuntimeException e) {
                LOG.errorf(e, "could not load %s %s at start; not ready until a promotion loads one", config.model(),
                        config.alias());
            }
        });
    }

    @Produces
    @Readiness
    HealthCheck modelLoaded(ModelServer server) {
        return () -> HealthCheckResponse.named("model").status(server.ready())
                .withData("model", server.modelName())
                .withData("version", server.served().map(ModelServer.Loaded::version).orElse("none")).build();
    }
}
