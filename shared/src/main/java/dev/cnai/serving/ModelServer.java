package dev.cnai.serving;

import dev.cnai.events.InferenceCompleted;
import dev.cnai.events.InferenceRequested;
import dev.cnai.onnx.OnnxModel;
import dev.cnai.onnx.Prediction;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.PulledModel;
import java.util.Optional;
import java.util.function.Function;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jboss.logging.Logger;

/**
 * Serves one registered model with ONNX Runtime. Models are pulled from the registry with every blob
 * checked against its digest before ONNX Runtime sees it. A reload swaps the session under a write
 * lock: requests in flight finish on the old session, which is closed only after they have.
 */
public final class ModelServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelServer.class);

    /** The model being served. */
    public record Loaded(String name, String version, String manifestDigest, String modelDigest, OnnxModel model) {
    }

    private final ModelRegistry registry;
    private final String modelName;
    private final int threads;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private Loaded current;

    public ModelServer(ModelRegistry registry, String modelName, int threads) {
        this.registry = registry;
        this.modelName = modelName;
        this.threads = threads;
    }

    public ModelRegistry registry() {
        return registry;
    }

    public String modelName() {
        return modelName;
    }

    /** Loads {@code ref} (version or alias) if it resolves; returns whether a model is now served. */
    public synchronized boolean loadIfPresent(String ref) {
        if (registry.resolve(modelName, ref).isEmpty()) {
            LOG.infof("no '%s' version of model %s in the registry yet; not ready until one is promoted", ref, modelName);
            return false;
        }
        load(ref);
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
                pulled.version().modelDigest(), model);
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

    public InferenceCompleted infer(InferenceRequested req) {
        if (req.model() != null && !req.model().equals(modelName)) {
            throw ServingException.unknownModel(req.model(), modelName);
        }
        float[][] rows = req.instances();
        if (rows == null || rows.length == 0) {
            throw ServingException.invalid("instances must hold at least one row of features");
        }
        lock.readLock().lock();
        try {
            if (current == null) {
                throw ServingException.notReady(modelName);
            }
            int f = current.model().features();
            float[] x = new float[rows.length * f];
            for (int i = 0; i < rows.length; i++) {
                if (rows[i] == null || rows[i].length != f) {
                    throw ServingException.invalid("instance " + i + " has " + (rows[i] == null ? 0 : rows[i].length)
                            + " features; model " + modelName + " " + current.version() + " expects " + f);
                }
                System.arraycopy(rows[i], 0, x, i * f, f);
            }
            Prediction p = current.model().predict(x, rows.length);
            int[] labels = new int[p.rows()];
            float[][] probs = new float[p.rows()][];
            for (int i = 0; i < p.rows(); i++) {
                labels[i] = (int) p.labels()[i];
                probs[i] = java.util.Arrays.copyOfRange(p.probabilities(), i * p.classes(), (i + 1) * p.classes());
            }
            return new InferenceCompleted(req.runId(), modelName, current.version(), current.modelDigest(), labels, probs);
        } finally {
            lock.readLock().unlock();
        }
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
