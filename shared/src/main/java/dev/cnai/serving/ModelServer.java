package dev.cnai.serving;

import dev.cnai.events.InferenceCompleted;
import dev.cnai.events.InferenceRequested;
import dev.cnai.onnx.OnnxModel;
import dev.cnai.onnx.Prediction;
import dev.cnai.registry.ModelAnnotations;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.PulledModel;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jboss.logging.Logger;

/**
 * Serves one registered model with ONNX Runtime. Models are pulled from the registry with every blob
 * checked against its digest before ONNX Runtime sees it. A reload swaps the session under a write
 * lock: requests in flight finish on the old session, which is closed only after they have.
 *
 * <p>Every prediction goes through one {@link DynamicBatcher}: {@link #submit(Rows)} (Open Inference
 * Protocol) and {@link #submit(InferenceRequested)} (CloudEvents) queue a request, and a runner hands what
 * is queued to {@link #predictBatch}, which concatenates it into one ONNX Runtime call and splits the
 * outputs per request.
 */
public final class ModelServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelServer.class);

    /** The batching of {@link #ModelServer(ModelRegistry, String, int)}: infer's defaults. */
    public static final DynamicBatcher.Settings DEFAULT_BATCHING = DynamicBatcher.Settings.of(64, 0, 256, 1);

    /**
     * The model being served.
     *
     * @param trainingTraceparent the W3C traceparent of the run that trained it (its lineage's
     *                            {@link ModelAnnotations#RUN_TRACEPARENT}), or null when that run was not traced
     */
    public record Loaded(String name, String version, String manifestDigest, String modelDigest, OnnxModel model,
            String trainingTraceparent) {
    }

    /**
     * One request's input: {@code count} rows of features, row-major.
     *
     * @param values {@code count × features} values
     * @param count  rows
     */
    public record Rows(float[] values, int count) {
    }

    /**
     * One request's share of a batch prediction: rows {@code [first, first + count)} of {@code batch}, which
     * {@code served} predicted; or, with {@code refused} set (and {@code batch} null), why it was not run.
     */
    public record Slice(Loaded served, Prediction batch, int first, int count, ServingException refused) {
        /** Offset of this request's first probability in {@code batch.probabilities()}. */
        public int probabilityOffset() {
            return first * batch.classes();
        }
    }

    private final ModelRegistry registry;
    private final String modelName;
    private final int threads;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final DynamicBatcher<Rows, Slice> batcher;
    private Loaded current;

    /** A server whose batches run on the submitting thread, with {@link #DEFAULT_BATCHING} and unpublished metrics. */
    public ModelServer(ModelRegistry registry, String modelName, int threads) {
        this(registry, modelName, threads, DEFAULT_BATCHING, Runnable::run, new SimpleMeterRegistry());
    }

    /**
     * @param batching how requests are batched
     * @param executor where batch runners run (the Quarkus worker pool in infer)
     * @param metrics  where the batcher's metrics are registered
     */
    public ModelServer(ModelRegistry registry, String modelName, int threads, DynamicBatcher.Settings batching,
            Executor executor, MeterRegistry metrics) {
        this.registry = registry;
        this.modelName = modelName;
        this.threads = threads;
        this.batcher = new DynamicBatcher<>(this::predictBatch, Rows::count,
                () -> ServingException.overloaded(modelName, batching.maxQueueSize()), executor, batching, metrics,
                modelName);
    }

    public String modelName() {
        return modelName;
    }

    /** Loads {@code ref} (version or alias) if it resolves; returns whether a model is now served. */
    public synchronized boolean loadIfPresent(String ref) {
        if (registry.resolve(modelName, ref).isEmpty()) {
            LOG.infof("no '%s' version of model %s in the registry yet; predictions answer 503 until one is promoted",
                    ref, modelName);
            return false;
        }
        load(ref);
        return true;
    }

    /**
     * Loads {@code version}, the one a replica is pinned to (a Knative canary revision), if its model (ONNX
     * layer) digest is {@code digest}; any digest when {@code digest} is null. A different digest is logged
     * and refused: nothing is loaded. Returns whether the pinned version is now served.
     *
     * @throws IllegalStateException when {@code version} is not in the registry
     */
    public synchronized boolean loadPinned(String version, String digest) {
        String found = registry.resolve(modelName, version)
                .orElseThrow(() -> new IllegalStateException("pinned version " + version + " is not in the registry"))
                .modelDigest();
        if (digest != null && !digest.equals(found)) {
            LOG.errorf("pinned %s %s has model digest %s, not the pinned %s: refusing to serve it", modelName, version,
                    found, digest);
            return false;
        }
        load(version);
        return true;
    }

    /**
     * Pulls, verifies and swaps in {@code ref}. A no-op when that manifest is already served. Loads are
     * serialised, so a slow load at start cannot overwrite a newer promotion that arrived meanwhile.
     */
    public synchronized Loaded load(String ref) {
        PulledModel pulled = registry.pull(modelName, ref);
        Loaded now = current();
        if (now != null && now.manifestDigest().equals(pulled.version().manifestDigest())) {
            return now;
        }
        OnnxModel model = OnnxModel.load(pulled.onnx(), threads);
        Loaded next = new Loaded(modelName, pulled.version().version(), pulled.version().manifestDigest(),
                pulled.version().modelDigest(), model,
                pulled.version().annotations().get(ModelAnnotations.RUN_TRACEPARENT));
        Loaded old;
        lock.writeLock().lock();
        try {
            old = current;
            current = next;
        } finally {
            lock.writeLock().unlock();
        }
        if (old != null) {
            old.model().close();
        }
        LOG.infof("serving %s %s (%s)", modelName, next.version(), next.manifestDigest());
        return next;
    }

    public Loaded current() {
        lock.readLock().lock();
        try {
            return current;
        } finally {
            lock.readLock().unlock();
        }
    }

    public boolean ready() {
        return current() != null;
    }

    /**
     * Queues one request for the batcher. The future fails with {@link ServingException} OVERLOADED when the
     * queue is full, and with INVALID_INPUT when the model was swapped, before the request ran, to one with
     * another number of features.
     */
    public CompletableFuture<Slice> submit(Rows rows) {
        return map(batcher.submit(rows), s -> {
            if (s.refused() != null) {
                throw s.refused();
            }
            return s;
        });
    }

    /**
     * Checks a CloudEvent inference request against the served model and queues it like {@link #submit(Rows)}.
     *
     * @throws ServingException NOT_FOUND for another model, INVALID_INPUT for no rows or rows of the wrong
     *         length, UNAVAILABLE when no model is loaded yet
     */
    public CompletableFuture<InferenceCompleted> submit(InferenceRequested req) {
        if (req.model() != null && !req.model().equals(modelName)) {
            throw ServingException.unknownModel(req.model(), modelName);
        }
        float[][] rows = req.instances();
        if (rows == null || rows.length == 0) {
            throw ServingException.invalid("instances must hold at least one row of features");
        }
        Loaded loaded = current();
        if (loaded == null) {
            throw ServingException.notReady(modelName);
        }
        int f = loaded.model().features();
        float[] x = new float[rows.length * f];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] == null || rows[i].length != f) {
                throw ServingException.invalid("instance " + i + " has " + (rows[i] == null ? 0 : rows[i].length)
                        + " features; model " + modelName + " " + loaded.version() + " expects " + f);
            }
            System.arraycopy(rows[i], 0, x, i * f, f);
        }
        return map(submit(new Rows(x, rows.length)), s -> BatchAssembly.completed(req, modelName, s));
    }

    /** {@link #submit(InferenceRequested)}, waiting for the answer; throws what the future fails with. */
    public InferenceCompleted infer(InferenceRequested req) {
        try {
            return submit(req).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /**
     * The batch function ({@code List<I> → List<O>}, djl-serving's {@code batchPredict}): runs every request
     * that fits the served model in one ONNX Runtime call under the read lock (so a swap waits for it) and
     * returns one {@link Slice} per request, in order. A request whose length does not fit the model (it was
     * swapped, after the request was checked, to one with another number of features) gets a refused slice.
     *
     * @throws ServingException UNAVAILABLE when no model is loaded
     */
    public List<Slice> predictBatch(List<Rows> batch) {
        return withModel(loaded -> BatchAssembly.predict(loaded, batch));
    }

    /** Requests waiting in the batcher now. */
    public int queued() {
        return batcher.queued();
    }

    /** {@code f} then {@code fn}, failing with the exception itself (not wrapped in a CompletionException). */
    private static <T, R> CompletableFuture<R> map(CompletableFuture<T> f, Function<T, R> fn) {
        CompletableFuture<R> out = new CompletableFuture<>();
        f.whenComplete((v, t) -> {
            if (t != null) {
                out.completeExceptionally(t instanceof CompletionException && t.getCause() != null ? t.getCause() : t);
                return;
            }
            try {
                out.complete(fn.apply(v));
            } catch (RuntimeException | Error e) {
                out.completeExceptionally(e);
            }
        });
        return out;
    }

    /**
     * Runs {@code work} on the served model under the read lock, so a hot swap waits for it and the old
     * session is closed only after every such call has returned.
     *
     * @throws ServingException UNAVAILABLE when no model is loaded yet
     */
    public <T> T withModel(Function<Loaded, T> work) {
        lock.readLock().lock();
        try {
            if (current == null) {
                throw ServingException.notReady(modelName);
            }
            return work.apply(current);
        } finally {
            lock.readLock().unlock();
        }
    }

    public Optional<Loaded> served() {
        return Optional.ofNullable(current());
    }

    /** Closes the served session; waits for a load in progress, so no session is created after close. */
    @Override
    public synchronized void close() {
        lock.writeLock().lock();
        try {
            if (current != null) {
                current.model().close();
                current = null;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
