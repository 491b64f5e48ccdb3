package dev.cnai.functions.trainshard;

import dev.cnai.events.ShardAssigned;
import dev.cnai.events.ShardTrained;
import dev.cnai.functions.support.EventSink;
import dev.cnai.functions.support.EventTracing;
import dev.cnai.tracing.StepSpan;
import dev.cnai.pipeline.TrainShardStep;
import dev.cnai.storage.ObjectStore;
import io.quarkus.funqy.Funq;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/**
 * train-shard: {@code dev.cnai.shard.assigned} → one round of local training on one shard; replies
 * {@code dev.cnai.shard.trained} as the HTTP response (the broker re-injects the reply). Training throughput:
 * {@code cnai.train.samples} (rows × local epochs) and {@code cnai.train.duration}, tagged {@code engine} and
 * {@code model}; samples/s is the ratio of their rates.
 */
@ApplicationScoped
public class TrainShardFunction {
    private final TrainShardStep step;
    private final EventSink sink;
    private final EventTracing tracing;

    /** train-shard settings. */
    @ConfigMapping(prefix = "cnai.train")
    public interface Config {
        /** ONNX Runtime intra-op threads of the training engine; 0 uses every processor the JVM sees (the CPU limit). */
        @WithDefault("0")
        int intraOpThreads();

        /**
         * Let the engine train a dense model on one intra-op thread for as long as that measures faster than all of
         * them (it checks first that both give bit-identical weights); false keeps every epoch on all threads.
         */
        @WithDefault("true")
        boolean tuneThreads();
    }

    public TrainShardFunction(ObjectStore store, Config config, MeterRegistry metrics, EventSink sink,
            EventTracing tracing) {
        this.sink = sink;
        this.tracing = tracing;
        int threads = config.intraOpThreads() > 0 ? config.intraOpThreads() : Runtime.getRuntime().availableProcessors();
        this.step = new TrainShardStep(store, threads, config.tuneThreads(), t -> {
            // shard: the index within the run, at most 64 values (the run request's limit)
            String shard = Integer.toString(t.shard());
            Counter.builder("cnai.train.samples").description("Training samples processed (rows x local epochs)")
                    .tags("engine", t.engine().wireName(), "model", t.model(), "shard", shard).register(metrics)
                    .increment(t.samples());
            Timer.builder("cnai.train.duration").description("Time of one shard's local training")
                    .tags("engine", t.engine().wireName(), "model", t.model(), "shard", shard).register(metrics)
                    .record(t.nanos(), TimeUnit.NANOSECONDS);
        });
    }

    @Funq("train-shard")
    public CloudEvent<ShardTrained> trainShard(CloudEvent<ShardAssigned> event) {
        ShardAssigned a = event.data();
        try (StepSpan span = tracing.consume(event, a.runId()).round(a.round()).shard(a.shard())) {
            try {
                return sink.reply(span.stamp(step.handle(a)));
            } catch (RuntimeException e) {
                throw span.error(e);
            }
        }
    }

    @PreDestroy
    void close() {
        step.close();
    }
}
