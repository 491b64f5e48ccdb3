package dev.cnai.training;

import dev.cnai.data.Dataset;
import dev.cnai.data.NormStats;
import java.util.Objects;

/**
 * Runs local training on the engine a {@link TrainingSpec} names: {@code onnx} (the ONNX Runtime engine, kept
 * open between calls for the same model, shapes and options) or {@code java} (the plain-Java reference).
 * Thread-safe; close it to release the ONNX Runtime session.
 */
public final class TrainingEngines implements AutoCloseable {
    private final int intraOpThreads;
    private final boolean tuneThreads;
    private Key cachedKey;
    private OnnxTrainer cached;

    /**
     * @param intraOpThreads ONNX Runtime intra-op threads (the CPU limit of the process)
     * @param tuneThreads    see {@link OnnxTrainer#create(ModelSpec, int, int, TrainingSpec, int, boolean)}
     */
    public TrainingEngines(int intraOpThreads, boolean tuneThreads) {
        this.intraOpThreads = Math.max(1, intraOpThreads);
        this.tuneThreads = tuneThreads;
    }

    /** Trains {@code start} on {@code shard}; see {@link OnnxTrainer#train} and {@link JavaTrainer#train}. */
    public TrainResult train(ModelSpec spec, Weights start, Dataset shard, NormStats stats, TrainingSpec options,
            long seed) {
        TrainingSpec o = (options == null ? new TrainingSpec(null, null, null, null, null, null, null, null) : options)
                .withDefaults();
        if (o.engine().equals(TrainingSpec.ENGINE_JAVA)) {
            return JavaTrainer.train(spec, start, shard, stats, o, seed);
        }
        if (!o.engine().equals(TrainingSpec.ENGINE_ONNX)) {
            throw TrainingException.invalidSpec("engine must be onnx or java, got '" + o.engine() + "'");
        }
        TrainingInputs.checkData(shard);
        return engine(Models.normalize(spec), shard.features(), shard.classes(), o).train(start, shard, stats, seed);
    }

    /**
     * Checks options that do not depend on the shard before any training starts: the ranges of
     * {@link TrainingInputs#checkOptions} and whether {@code augment} fits data of {@code features} features.
     *
     * @throws TrainingException an option out of range, with the value and the allowed range
     */
    public static void validate(TrainingSpec options, int features) {
        TrainingSpec o = options.withDefaults();
        TrainingInputs.checkOptions(o);
        Shifts.of(o.augment(), features, 0);
    }

    private synchronized OnnxTrainer engine(ModelSpec spec, int features, int classes, TrainingSpec o) {
        // rounds, patience and seed do not enter the graph; equal keys share one session
        Key key = new Key(spec, features, classes, new TrainingSpec(null, o.localEpochs(), o.batchSize(),
                o.learningRate(), o.momentum(), o.l2(), null, null, o.optimizer(), o.beta1(), o.beta2(), o.engine(),
                o.provider()));
        if (!key.equals(cachedKey)) {
            OnnxTrainer next = OnnxTrainer.create(spec, features, classes, o, intraOpThreads, tuneThreads);
            if (cached != null) {
                cached.close();
            }
            cached = next;
            cachedKey = key;
        }
        return cached;
    }

    @Override
    public synchronized void close() {
        if (cached != null) {
            cached.close();
            cached = null;
            cachedKey = null;
        }
    }

    private record Key(ModelSpec spec, int features, int classes, TrainingSpec options) {
        Key {
            Objects.requireNonNull(spec);
        }
    }
}
