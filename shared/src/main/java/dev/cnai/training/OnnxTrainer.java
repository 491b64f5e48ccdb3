package dev.cnai.training;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.cnai.data.Dataset;
import dev.cnai.events.NormStats;
import dev.cnai.onnx.OnnxRuntimes;
import dev.cnai.training.impl.Layout;
import dev.cnai.training.impl.Providers;
import dev.cnai.training.impl.Staging;
import dev.cnai.training.impl.TrainingGraphs;
import dev.cnai.training.impl.TunedSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The ONNX Runtime training engine: trains softmax, MLP and CNN models with a generated ONNX graph (forward,
 * softmax cross-entropy + L2, backward, SGD-with-momentum or Adam update) on the CPU or CUDA provider.
 *
 * <p>One {@code session.run} trains one local epoch: the raw shard and its one-hot labels are uploaded once
 * into direct buffers and stay resident across epochs (with {@code augment}, each epoch's shifted images
 * overwrite the shard's buffer); an ONNX {@code Loop} slices each mini-batch out of them
 * through the epoch's permutation, normalises it, and carries parameters and optimiser state from step to step.
 * The shuffle is {@link TrainingInputs#shuffle}, as the plain-Java trainer's, so both engines visit the same
 * batches. Deterministic on one machine and provider: the same arguments give bit-identical weights.
 *
 * <p>The parts: {@link TunedSession} (the sessions and thread tuning), {@link Staging} (the direct buffers, reused
 * from call to call), {@link TrainingGraphs} (the graph). What each choice bought, measured:
 * {@code docs/benchmarks.md}, "What each choice bought".
 *
 * <p>Thread-safe for concurrent {@link #train} calls (ONNX Runtime sessions are). Close it to free the session.
 */
public final class OnnxTrainer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OnnxTrainer.class);

    private final OrtEnvironment env;
    private final TunedSession sessions;
    private final Layout layout;
    private final TrainingConfig options;
    private final Architecture architecture;
    private final Provider provider;
    /** Direct buffers of the last call, reused by the next (fresh direct buffers are slow to first touch). */
    private final AtomicReference<Staging> idle = new AtomicReference<>();

    private OnnxTrainer(OrtEnvironment env, TunedSession sessions, Layout layout, TrainingConfig options,
            Architecture architecture, Provider provider) {
        this.env = env;
        this.sessions = sessions;
        this.layout = layout;
        this.options = options;
        this.architecture = architecture;
        this.provider = provider;
    }

    /**
     * {@link #create(Architecture, int, int, TrainingConfig, int, boolean)} with thread tuning on: the engine as
     * train-shard runs it.
     */
    public static OnnxTrainer create(Architecture architecture, int features, int classes, TrainingConfig options,
            int intraOpThreads) {
        return create(architecture, features, classes, options, intraOpThreads, true);
    }

    /**
     * Generates the epoch graph for a model and options and opens it on the provider that {@code options.provider()}
     * selects (logged once, with the reason).
     *
     * @param intraOpThreads ONNX Runtime intra-op threads (the CPU limit of the function; at least 1)
     * @param tuneThreads    for a dense model on the CPU with more than one thread, also open the graph on one
     *                       thread and run each epoch on whichever is faster by measurement ({@link TunedSession});
     *                       the weights are bit-identical either way
     * @throws TrainingException invalid spec or options, an unavailable provider, or an ONNX Runtime failure
     */
    public static OnnxTrainer create(Architecture architecture, int features, int classes, TrainingConfig options,
            int intraOpThreads, boolean tuneThreads) {
        TrainingConfig o = Objects.requireNonNull(options, "options");
        Architecture s = Objects.requireNonNull(architecture, "architecture");
        Layout layout = Layout.of(s, features, classes);
        byte[] graph = TrainingGraphs.epoch(layout, o);
        int threads = Math.max(1, intraOpThreads);
        OrtEnvironment env = OnnxRuntimes.environment();
        Providers.Choice choice = Providers.choose(o.provider(), threads);
        boolean tune = tuneThreads && threads > 1 && !layout.cnn() && choice.provider() == Provider.CPU;
        try (OrtSession.SessionOptions so = choice.options()) {
            TunedSession sessions = new TunedSession(env, graph, so, tune, threads, o.batchSize(),
                    s.family() + " " + layout.describe());
            LOG.infof("training engine: ONNX Runtime on %s (%s); %s %s, %s, batch %d, %d intra-op thread(s)%s",
                    choice.provider().wireName(), choice.reason(), s.family(), layout.describe(), o.optimizer().name(),
                    o.batchSize(),
                    threads, tune ? " or 1, whichever trains faster by measurement" : "");
            return new OnnxTrainer(env, sessions, layout, o, s, choice.provider());
        } catch (OrtException e) {
            throw TrainingException.runtime("creating the training session for " + s.family(), e);
        }
    }

    /** The execution provider this engine runs on: {@code cpu} or {@code cuda}. */
    public String provider() {
        return provider.wireName();
    }

    /** Intra-op threads of the session. */
    public int threads() {
        return sessions.threads();
    }

    /** Intra-op threads the next epoch runs on: {@link #threads()}, or 1 while thread tuning finds that faster. */
    public int threadsInUse() {
        return sessions.threadsInUse();
    }

    /** Forward + backward floating-point operations per training sample of this model. */
    public double flopsPerSample() {
        return layout.flopsPerSample();
    }

    /**
     * Trains {@code start} on a shard for {@code localEpochs} epochs (shuffled with a generator seeded by
     * {@code seed}, the same order as {@link JavaTrainer}, and with {@code augment} the same random shifts);
     * inputs are normalised with {@code stats}. The optimiser state starts at zero.
     *
     * @throws TrainingException invalid data or weights, divergence, or an ONNX Runtime failure
     */
    public TrainResult train(Weights start, Dataset shard, NormStats stats, long seed) {
        TrainingInputs.checkData(shard);
        checkShapes(start, shard);
        NormStats.require(stats, TrainingException::invalidSpec);
        int n = shard.rows();
        int batch = options.batchSize();
        long steps = (n + batch - 1) / batch;
        List<OnnxTensor> owned = new ArrayList<>();
        OrtSession.Result result = null;
        Staging staging = idle.getAndSet(null);
        if (staging == null) {
            staging = new Staging();
        }
        try {
            OnnxTensor x = track(owned, OnnxTensor.createTensor(env, staging.raw(shard),
                    new long[] {n, shard.features()}));
            OnnxTensor mean = track(owned, OnnxTensor.createTensor(env, (float) stats.mean()));
            OnnxTensor std = track(owned, OnnxTensor.createTensor(env, (float) stats.std()));
            OnnxTensor y = track(owned, OnnxTensor.createTensor(env, staging.oneHot(shard),
                    new long[] {n, shard.classes()}));
            OnnxTensor stepsTensor = track(owned, OnnxTensor.createTensor(env, steps));
            Map<String, OnnxTensor> carried = initialState(start, owned, staging);
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            SplittableRandom rng = new SplittableRandom(seed);
            Shifts shifts = Shifts.of(options.augment(), shard.features(), seed);
            LongBuffer perm = staging.perm(n);
            double lossSum = 0;
            for (int epoch = 0; epoch < options.localEpochs(); epoch++) {
                TrainingInputs.shuffle(order, rng);
                if (shifts != null) {
                    // x views the staging buffer (direct, not copied): overwrite it with this epoch's images
                    staging.raw(shifts.next(shard));
                }
                perm.clear();
                for (int v : order) {
                    perm.put(v);
                }
                perm.flip();
                try (OnnxTensor permTensor = OnnxTensor.createTensor(env, perm, new long[] {n})) {
                    OrtSession.Result next = sessions.run(
                            TrainingGraphs.epochInputs(carried, x, mean, std, y, permTensor, stepsTensor), n);
                    if (result != null) {
                        result.close();
                    }
                    result = next;
                }
                lossSum = ((OnnxTensor) result.get(TrainingGraphs.LOSS_SUM).orElseThrow()).getFloatBuffer().get(0);
                if (!Double.isFinite(lossSum)) {
                    throw TrainingException.diverged("cross-entropy became " + lossSum + " in epoch " + (epoch + 1)
                            + " with learning rate " + options.learningRate());
                }
                carried = new HashMap<>();
                for (String name : TrainingGraphs.carried(layout, options)) {
                    carried.put(name, (OnnxTensor) result.get("out_" + name).orElseThrow());
                }
            }
            return new TrainResult(parameters(carried), lossSum / n, n);
        } catch (OrtException e) {
            throw TrainingException.runtime("training " + architecture.family() + " on " + n + " rows ("
                    + provider.wireName() + ")", e);
        } finally {
            if (result != null) {
                result.close();
            }
            owned.forEach(OnnxTensor::close);
            idle.set(staging);
        }
    }

    @Override
    public void close() {
        sessions.close();
    }

    /**
     * The start weights and zero optimiser state as tensors over the staging buffers, reused from call to call (a
     * heap array handed to ONNX Runtime would be copied into a fresh direct buffer each call).
     */
    private Map<String, OnnxTensor> initialState(Weights start, List<OnnxTensor> owned, Staging staging)
            throws OrtException {
        Map<String, OnnxTensor> carried = new HashMap<>();
        List<Tensor> tensors = start.tensors();
        FloatBuffer[] weights = staging.weights(tensors);
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            long[] shape = Staging.shape(t);
            carried.put(t.name(), track(owned, OnnxTensor.createTensor(env, weights[i], shape)));
            for (String state : TrainingGraphs.stateNames(options, t.name())) {
                // ONNX Runtime never writes an input: every state tensor can view the same zeros
                carried.put(state, track(owned, OnnxTensor.createTensor(env, staging.zeros(t.size()), shape)));
            }
        }
        if (options.optimizer() instanceof Optimizer.Adam) {
            carried.put(TrainingGraphs.STEP_COUNTER, track(owned, OnnxTensor.createTensor(env, 0f)));
        }
        return carried;
    }

    private Weights parameters(Map<String, OnnxTensor> carried) {
        List<Tensor> tensors = new ArrayList<>();
        for (Map.Entry<String, int[]> e : layout.parameters().entrySet()) {
            tensors.add(new Tensor(e.getKey(), e.getValue(), Staging.floats(carried.get(e.getKey()))));
        }
        return new Weights(tensors);
    }

    /** The model's shapes (for the gradient checks' probe). */
    Layout layout() {
        return layout;
    }

    /** Rejects data of other features or classes than the engine's, and weights that do not fit the model. */
    void checkShapes(Weights w, Dataset data) {
        if (data.features() != layout.features() || data.classes() != layout.classes()) {
            throw TrainingException.incompatible("the engine was built for " + layout.features() + " features and "
                    + layout.classes() + " classes, the data has " + data.features() + " and " + data.classes());
        }
        architecture.checkWeights(w, data.features(), data.classes());
    }

    /** Registers a tensor this call owns (closed in its finally block) and returns it. */
    private static OnnxTensor track(List<OnnxTensor> owned, OnnxTensor tensor) {
        owned.add(tensor);
        return tensor;
    }
}
