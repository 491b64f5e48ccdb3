package dev.cnai.functions.infer;

import dev.cnai.registry.ModelRegistry;
import dev.cnai.serving.DynamicBatcher;
import dev.cnai.serving.ModelServer;
import dev.cnai.serving.ServingLimits;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Wires the {@link ModelServer} (its batcher runs on the Quarkus worker pool and publishes to the Micrometer
 * registry): loads the production model (or the pinned version) at start, closes ONNX Runtime at stop, reports
 * readiness.
 */
@ApplicationScoped
public class ServingSetup {
    private static final Logger LOG = Logger.getLogger(ServingSetup.class);

    /** Set once the start-up load has finished, whatever its outcome. */
    private volatile boolean startupDone;

    /** infer settings. */
    @ConfigMapping(prefix = "cnai.infer")
    public interface Config {
        /** Registry name of the model this server serves. */
        @WithDefault("mnist-mlp")
        String model();

        /** Alias (or version) loaded at start. */
        @WithDefault(ModelRegistry.PRODUCTION)
        String alias();

        /**
         * Version this replica is pinned to (set by register's Knative canary rollout as CNAI_INFER_MODEL_VERSION):
         * when set, it is loaded instead of {@link #alias()} and {@code model.promoted} events are ignored, so each
         * revision of a canary keeps serving its own model.
         */
        Optional<String> modelVersion();

        /** Model (ONNX layer) digest the pinned version must have (CNAI_INFER_MODEL_DIGEST); checked before loading. */
        Optional<String> modelDigest();

        /** ONNX Runtime intra-op threads per session; match the container's CPU limit. */
        @WithDefault("1")
        int intraOpThreads();

        /** Dynamic batching of Open Inference Protocol requests (Triton's names). */
        Batching batching();

        /** Limits on one inference request, checked before what they bound is allocated (docs/operations.md#limits). */
        Limits limits();
    }

    /** Request limits (defaults: {@link ServingLimits#DEFAULTS}); the body size is {@code cnai.events.max-bytes}. */
    public interface Limits extends ServingLimits {
        /** Most values one input tensor may declare (its shape's product) or hold; 2^20 = 4 MiB as FP32. */
        @WithDefault("1048576")
        @Override
        long maxTensorElements();

        /** Most rows (N of [N, features]) in one request; the CloudEvent schema allows 1024 instances. */
        @WithDefault("1024")
        @Override
        int maxRows();

        /** Longest string or object key (id, names, datatype, parameter values) in a request, in characters. */
        @WithDefault("1024")
        @Override
        int maxStringLength();
    }

    /** Dynamic batcher settings, named after Triton's model configuration (defaults: {@link ModelServer#DEFAULT_BATCHING}). */
    public interface Batching extends DynamicBatcher.Settings {
        /** Most rows run in one ONNX Runtime call; 1 turns dynamic batching off (batch-1 serving). */
        @WithDefault("64")
        @Override
        int maxBatchSize();

        /** How long a runner holding a partial batch waits for more requests; 0 runs what is queued at once. */
        @WithDefault("0")
        @Override
        int maxQueueDelayMicroseconds();

        /** Requests that may wait; one more is refused with 429 and Retry-After (memory stays bounded). */
        @WithDefault("256")
        @Override
        int maxQueueSize();

        /** Batches that may run at the same time (Triton's instance_group count), each on a worker thread. */
        @WithDefault("1")
        @Override
        int instanceCount();
    }

    @Produces
    @ApplicationScoped
    ModelServer modelServer(ModelRegistry registry, Config config, MeterRegistry metrics) {
        return new ModelServer(registry, config.model(), config.intraOpThreads(), config.batching(),
                Infrastructure.getDefaultWorkerPool(), metrics);
    }

    void close(@Disposes ModelServer server) {
        server.close();
    }

    /**
     * Loads the start-up alias on a worker thread, so ONNX Runtime's native library and session are set up
     * while the HTTP server starts; readiness stays false until that load has finished.
     */
    void loadAtStart(@Observes StartupEvent ev, ModelServer server, Config config) {
        Infrastructure.getDefaultWorkerPool().execute(() -> {
            try {
                if (config.modelVersion().isPresent()) {
                    server.loadPinned(config.modelVersion().get(), config.modelDigest().orElse(null));
                } else {
                    server.loadIfPresent(config.alias());
                }
            } catch (RuntimeException e) {
                LOG.errorf(e, "could not load %s %s at start; predictions answer 503 until a promotion loads one",
                        config.model(), config.alias());
            } finally {
                startupDone = true;
            }
        });
    }

    /**
     * Readiness (Knative routes traffic, and the local activator forwards, only to a ready replica): not ready while
     * the start-up load runs, so a request that woke a scaled-to-zero infer is not answered "still loading". Then a
     * pinned replica (a canary revision) is ready only with its version served; an unpinned one also without a model,
     * so the {@code model.promoted} event that loads the first can reach a fresh revision (predictions answer 503
     * until then; the Open Inference Protocol's {@code /v2/health/ready} says whether a model is served).
     */
    @Produces
    @Readiness
    HealthCheck modelLoaded(ModelServer server, Config config) {
        return () -> HealthCheckResponse.named("model")
                .status(startupDone && (server.ready() || config.modelVersion().isEmpty()))
                .withData("startup", startupDone ? "done" : "loading")
                .withData("model", server.modelName())
                .withData("version", server.served().map(ModelServer.Loaded::version).orElse("none")).build();
    }
}
