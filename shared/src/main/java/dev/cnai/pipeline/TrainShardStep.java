package dev.cnai.pipeline;

import dev.cnai.data.Dataset;
import dev.cnai.data.ShardCodec;
import dev.cnai.events.EventTypes;
import dev.cnai.events.OutgoingEvent;
import dev.cnai.events.ShardAssigned;
import dev.cnai.events.ShardTrained;
import dev.cnai.storage.ArtifactRef;
import dev.cnai.storage.ObjectStore;
import dev.cnai.training.Engine;
import dev.cnai.training.TrainResult;
import dev.cnai.training.TrainingEngines;
import dev.cnai.training.TrainingConfig;
import dev.cnai.training.Weights;
import java.util.function.Consumer;

/**
 * train-shard: trains one shard for one round from the round's global weights on the engine the plan names
 * (ONNX Runtime by default, on the CPU or CUDA provider) and writes the local update under a deterministic key.
 * A redelivered assignment returns the stored result unchanged.
 */
public final class TrainShardStep implements AutoCloseable {

    private final ObjectStore store;
    private final TrainingEngines trainers;
    private final Consumer<Trained> observer;

    /**
     * One local training this step ran (not a redelivery answered from the store): for throughput metrics.
     *
     * @param engine  {@code onnx} or {@code java}
     * @param model   the model family: {@code softmax}, {@code mlp} or {@code cnn}
     * @param shard   the shard's index in its run (0 .. shards - 1; at most 64 shards)
     * @param samples rows trained on, counted once per local epoch
     * @param nanos   wall time of the training call
     */
    public record Trained(Engine engine, String model, int shard, long samples, long nanos) {
    }

    /** A step whose ONNX Runtime sessions use as many intra-op threads as the JVM sees processors. */
    public TrainShardStep(ObjectStore store) {
        this(store, Runtime.getRuntime().availableProcessors());
    }

    /** @param intraOpThreads ONNX Runtime intra-op threads per training session (the CPU limit) */
    public TrainShardStep(ObjectStore store, int intraOpThreads) {
        this(store, intraOpThreads, true, t -> { });
    }

    /**
     * @param intraOpThreads ONNX Runtime intra-op threads per training session (the CPU limit)
     * @param tuneThreads    let the engine run dense models on one thread when that measures faster (same weights)
     * @param observer       told about every local training the step runs (not about redeliveries)
     */
    public TrainShardStep(ObjectStore store, int intraOpThreads, boolean tuneThreads, Consumer<Trained> observer) {
        this.store = store;
        this.trainers = new TrainingEngines(intraOpThreads, tuneThreads);
        this.observer = observer;
    }

    public OutgoingEvent handle(ShardAssigned a) {
        ShardTrained result = Json.get(store, Keys.shardResult(a.runId(), a.round(), a.shard()), ShardTrained.class)
                .orElseGet(() -> train(a));
        return OutgoingEvent.of(EventTypes.SHARD_TRAINED, result, "round-" + a.round(), "shard-" + a.shard());
    }

    private ShardTrained train(ShardAssigned a) {
        RunPlan plan = Json.read(store, a.plan(), RunPlan.class);
        Dataset shard = ShardCodec.decode(store.read(a.data()));
        Weights start = Weights.decode(store.read(a.weights()));
        long seed = plan.training().seed() * 1_000_003L + a.round() * 1_009L + a.shard();
        TrainingConfig options = plan.training().forRound(a.round());
        long t0 = System.nanoTime();
        TrainResult r = trainers.train(plan.model(), start, shard, plan.stats(), options, seed);
        observer.accept(new Trained(options.engine(), plan.model().family(), a.shard(),
                (long) r.samples() * options.localEpochs(), System.nanoTime() - t0));
        ArtifactRef ref = store.put(Keys.shardWeights(a.runId(), a.round(), a.shard()), r.weights().encode());
        ShardTrained trained = new ShardTrained(a.runId(), a.round(), a.shard(), a.shardCount(), r.samples(),
                r.meanLoss(), ref, a.plan());
        return Json.putIfAbsent(store, Keys.shardResult(a.runId(), a.round(), a.shard()), trained, ShardTrained.class);
    }

    @Override
    public void close() {
        trainers.close();
    }
}
