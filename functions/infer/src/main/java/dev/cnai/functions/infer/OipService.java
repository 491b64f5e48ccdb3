package dev.cnai.functions.infer;

import dev.cnai.onnx.OnnxModel;
import dev.cnai.onnx.Prediction;
import dev.cnai.serving.ModelServer;
import dev.cnai.serving.OipCodec;
import dev.cnai.serving.OipRequest;
import dev.cnai.serving.ServingException;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * The Open Inference Protocol v2 operations of this server: one model (its registry name), served at the
 * version {@code production} points at. A request naming another version of it gets 404: versions are
 * not loaded on demand (see docs/operations.md). Inference goes through the {@link DynamicBatcher}.
 */
@ApplicationScoped
public class OipService {
    /** A checked request. */
    record Job(OipRequest request, int rows) {
    }

    private final ModelServer server;
    private final DynamicBatcher<Job, byte[]> batcher;

    public OipService(ModelServer server, ServingSetup.Config config, MeterRegistry metrics) {
        this.server = server;
        this.batcher = new DynamicBatcher<>(this::run, Job::rows,
                () -> ServingException.overloaded(server.modelName(), config.batching().maxQueueSize()),
                Infrastructure.getDefaultWorkerPool(), config.batching(), metrics, server.modelName());
    }

    public boolean ready() {
        return server.ready();
    }

    /** Whether {@code name} (and {@code version}, when given) is loaded and ready. */
    public boolean modelReady(String name, String version) {
        ModelServer.Loaded loaded = resolve(name, version, false);
        return loaded != null;
    }

    /** The model metadata response. */
    public byte[] metadata(String name, String version) {
        ModelServer.Loaded loaded = resolve(name, version, true);
        return OipCodec.modelMetadata(server.modelName(), loaded.version(), loaded.model());
    }

    /** Parses, checks and queues an inference request; the Uni gives the response body. */
    public Uni<byte[]> infer(String name, String version, byte[] body) {
        ModelServer.Loaded loaded = resolve(name, version, true);
        OipRequest req = OipCodec.parse(body);
        int rows = OipCodec.rows(req, loaded.model());
        return batcher.submit(new Job(req, rows));
    }

    /**
     * The loaded model a name and optional version denote. Unknown name or version: 404. Known but not
     * loaded yet: 503 when {@code required}, else null.
     */
    private ModelServer.Loaded resolve(String name, String version, boolean required) {
        if (!server.modelName().equals(name)) {
            throw ServingException.unknownModel(name, server.modelName());
        }
        ModelServer.Loaded loaded = server.current();
        if (loaded == null) {
            if (required) {
                throw ServingException.notReady(name);
            }
            return null;
        }
        if (version != null && !version.equals(loaded.version())) {
            throw ServingException.versionNotServed(name, version, loaded.version());
        }
        return loaded;
    }

    /** Runs one batch in one ONNX Runtime call on the model served now (the read lock holds off a swap). */
    private void run(List<DynamicBatcher.Slot<Job, byte[]>> batch) {
        server.withModel(loaded -> {
            OnnxModel model = loaded.model();
            int f = model.features();
            int total = 0;
            for (DynamicBatcher.Slot<Job, byte[]> s : batch) {
                if (s.input().request().data().length != s.rows() * f) {
                    s.fail(ServingException.invalid("model " + loaded.name() + " was swapped to " + loaded.version()
                            + ", which expects " + f + " features per row"));
                } else {
                    total += s.rows();
                }
            }
            if (total == 0) {
                return null;
            }
            float[] x;
            if (batch.size() == 1) {
                x = batch.get(0).input().request().data();
            } else {
                x = new float[total * f];
                int at = 0;
                for (DynamicBatcher.Slot<Job, byte[]> s : batch) {
                    float[] d = s.input().request().data();
                    if (d.length == s.rows() * f) {
                        System.arraycopy(d, 0, x, at, d.length);
                        at += d.length;
                    }
                }
            }
            Prediction p = model.predict(x, total);
            int row = 0;
            for (DynamicBatcher.Slot<Job, byte[]> s : batch) {
                if (s.input().request().data().length == s.rows() * f) {
                    s.complete(OipCodec.inferResponse(loaded.name(), loaded.version(), s.input().request(), s.rows(),
                            p.classes(), p.probabilities(), row * p.classes(), p.labels(), row));
                    row += s.rows();
                }
            }
            return null;
        });
    }
}
