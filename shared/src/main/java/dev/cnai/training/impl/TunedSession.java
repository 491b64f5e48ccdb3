package dev.cnai.training.impl;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.cnai.training.TrainingException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The ONNX Runtime sessions of one epoch graph: the graph on the configured intra-op threads and, when thread
 * tuning applies, the same graph on one thread. {@link #run} runs each epoch on whichever {@link ThreadTuner}
 * finds faster, once a probe saw both train bit-identically for the epoch's shapes; else always on the first.
 *
 * <p>Owns and closes its sessions. Thread-safe (ONNX Runtime sessions are).
 */
public final class TunedSession implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TunedSession.class);

    private final OrtSession session;
    /** The same graph on one intra-op thread, when thread tuning applies; else null. */
    private final OrtSession single;
    private final ThreadTuner tuner;
    /** Remainders {@code rows % batch} for which both sessions were seen to train bit-identically. */
    private final Set<Integer> identical = ConcurrentHashMap.newKeySet();
    /** Set when a probe found the sessions differ: thread tuning is off for these sessions from then on. */
    private volatile boolean tuningOff;
    private final int threads;
    private final int batch;
    private final String label;

    /**
     * Opens {@code graph} with {@code options} and, with {@code tune}, also on one CPU thread.
     *
     * @param options the session options of the chosen provider; the caller closes them
     * @param threads the intra-op threads {@code options} configure
     * @param batch   the mini-batch size: epochs of shards with equal {@code rows % batch} have equal shapes
     * @param label   the model, for log lines
     * @throws OrtException a session could not be created (none is left open)
     */
    public TunedSession(OrtEnvironment env, byte[] graph, OrtSession.SessionOptions options, boolean tune,
            int threads, int batch, String label) throws OrtException {
        this.session = env.createSession(graph, options);
        OrtSession one = null;
        if (tune) {
            try (OrtSession.SessionOptions so = Providers.choose(dev.cnai.training.Provider.CPU, 1).options()) {
                one = env.createSession(graph, so);
            } catch (OrtException | RuntimeException e) {
                session.close();
                throw e;
            }
        }
        this.single = one;
        this.tuner = one == null ? null : new ThreadTuner();
        this.threads = threads;
        this.batch = batch;
        this.label = label;
    }

    /** Intra-op threads of the main session. */
    public int threads() {
        return threads;
    }

    /** Intra-op threads the next epoch runs on: {@link #threads()}, or 1 while thread tuning finds that faster. */
    public int threadsInUse() {
        return tuner != null && !tuningOff && tuner.faster() == 1 ? 1 : threads;
    }

    /** One epoch on the session thread tuning picks (or the only one), timed for the tuner. */
    public OrtSession.Result run(Map<String, OnnxTensor> inputs, int rows) throws OrtException {
        if (tuner == null || tuningOff) {
            return session.run(inputs);
        }
        if (!identical.contains(rows % batch)) {
            return probe(inputs, rows);
        }
        int option = tuner.next();
        long t0 = System.nanoTime();
        OrtSession.Result r = (option == 0 ? session : single).run(inputs);
        int before = tuner.faster();
        tuner.record(option, (System.nanoTime() - t0) / 1e9 / rows);
        if (tuner.faster() != before) {
            LOG.debugf("training engine: %d intra-op thread(s) now train faster (%.2f vs %.2f µs per row)",
                    (Object) (tuner.faster() == 1 ? 1 : threads), 1e6 * tuner.score(tuner.faster()),
                    1e6 * tuner.score(1 - tuner.faster()));
        }
        return r;
    }

    /**
     * Runs an epoch on both sessions and keeps the first one's result. Tuning stays on only if the two agree to the
     * bit: the products' blocking, and so their rounding, can depend on the thread count for some shapes (a
     * softmax 400-10 does, the MLP 784-256-10 does not). The shapes of an epoch depend on the shard only through
     * its last, short batch, so one probe per remainder {@code rows % batch} settles it.
     */
    private OrtSession.Result probe(Map<String, OnnxTensor> inputs, int rows) throws OrtException {
        long t0 = System.nanoTime();
        OrtSession.Result r = session.run(inputs);
        long t1 = System.nanoTime();
        try (OrtSession.Result other = single.run(inputs)) {
            tuner.record(0, (t1 - t0) / 1e9 / rows);
            tuner.record(1, (System.nanoTime() - t1) / 1e9 / rows);
            for (Map.Entry<String, OnnxValue> e : r) {
                OnnxTensor mine = (OnnxTensor) e.getValue();
                OnnxTensor theirs = (OnnxTensor) other.get(e.getKey()).orElseThrow();
                if (!mine.getByteBuffer().equals(theirs.getByteBuffer())) {
                    tuningOff = true;
                    LOG.infof("training engine: thread tuning off: %d threads and 1 thread give different %s for "
                            + "%s at %d rows, so every epoch stays on %d threads", threads, e.getKey(), label, rows,
                            threads);
                    return r;
                }
            }
            identical.add(rows % batch);
            return r;
        } catch (OrtException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            if (single != null) {
                single.close();
            }
            session.close();
        } catch (OrtException e) {
            throw TrainingException.runtime("closing the training session", e);
        }
    }
}
