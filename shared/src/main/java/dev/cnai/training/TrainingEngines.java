package dev.cnai.training;

import dev.cnai.data.Dataset;
import dev.cnai.events.NormStats;

/**
 * Runs local training on the engine a {@link TrainingConfig} names: {@code onnx} (the ONNX Runtime engine, kept
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
     * @param tuneThreads    see {@link OnnxTrainer#create(Architecture, int, int, TrainingConfig, int, boolean)}
     */
    public TrainingEngines(int intraOpThreads, boolean tuneThreads) {
        this.intraOpThreads = Math.max(1, intraOpThreads);
        this.tuneThreads = tuneThreads;
    }

    /** Trains {@code start} on {@code shard}; see {@link OnnxTrainer#train} and {@link JavaTrainer#train}. */
    public TrainResult train(Architecture architecture, Weights start, Dataset shard, NormStats stats,
            TrainingConfig config, long seed) {
        return switch (config.engine()) {
            case JAVA -> JavaTrainer.train(architecture, start, shard, stats, config, seed);
            case ONNX -> {
                TrainingInputs.checkData(shard);
                yield engine(architecture, shard.features(), shard.classes(), config).train(start, shard, stats, seed);
            }
        };
    }

    private synchronized OnnxTrainer engine(Architecture architecture, int features, int classes,
            TrainingConfig config) {
        Key key = new Key(architecture, features, classes, config.sessionKey());
        if (!key.equals(cachedKey)) {
            OnnxTrainer next = OnnxTrainer.create(architecture, features, classes, config, intraOpThreads,
                    tuneThreads);
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

    private record Key(Architecture architecture, int features, int classes, Object options) {
    }
}
