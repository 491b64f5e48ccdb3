package dev.cnai.functions.preprocess;

import dev.cnai.data.DatasetLimits;
import dev.cnai.events.RunRequested;
import dev.cnai.functions.support.EventSink;
import dev.cnai.functions.support.EventTracing;
import dev.cnai.tracing.StepSpan;
import dev.cnai.pipeline.PreprocessStep;
import dev.cnai.storage.ObjectStore;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * preprocess: {@code dev.cnai.run.requested} (CloudEvent, or a plain JSON POST) → validated, split and
 * sharded dataset; emits {@code dataset.prepared} and the round-1 {@code shard.assigned} fan-out to K_SINK.
 */
@ApplicationScoped
public class PreprocessFunction {

    /** preprocess settings. */
    @ConfigMapping(prefix = "cnai.preprocess")
    public interface Config {
        /** Registry name of the model when the run request names none. */
        @WithDefault("mnist-mlp")
        String defaultModelName();

        /** Most bytes of one dataset file, on disk and decompressed (docs/operations.md#limits); 1 GiB. */
        @WithDefault("1073741824")
        long maxDatasetBytes();

        /** Most rows one dataset may hold (docs/operations.md#limits). */
        @WithDefault("100000")
        int maxDatasetRows();
    }

    private final PreprocessStep step;
    private final EventSink sink;
    private final EventTracing tracing;

    public PreprocessFunction(ObjectStore store, Config config, EventSink sink, EventTracing tracing) {
        this.step = new PreprocessStep(store, config.defaultModelName(),
                new DatasetLimits(config.maxDatasetBytes(), config.maxDatasetRows()));
        this.sink = sink;
        this.tracing = tracing;
    }

    @Funq("preprocess")
    public void preprocess(CloudEvent<RunRequested> event) {
        String runId = PreprocessStep.runId(event.data(), event.source(), event.id());
        try (StepSpan span = tracing.consume(event, runId)) {
            try {
                step.handle(event.data(), runId, span.sender(sink::emitAll));
            } catch (RuntimeException e) {
                throw span.error(e);
            }
        }
    }
}
