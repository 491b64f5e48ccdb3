package dev.cnai.functions.infer;

import dev.cnai.serving.ModelServer;
import dev.cnai.serving.OipCodec;
import dev.cnai.serving.OipRequest;
import dev.cnai.serving.ServingException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The Open Inference Protocol v2 operations of this server: one model (its registry name), served at the
 * version {@code production} points at. A request naming another version of it gets 404: versions are
 * not loaded on demand (see docs/operations.md). Adapts OIP to {@link ModelServer}: parse and check with
 * {@link OipCodec}, queue with {@link ModelServer#submit(ModelServer.Rows)} (the dynamic batcher), encode.
 */
@ApplicationScoped
public class OipService {
    private final ModelServer server;

    public OipService(ModelServer server) {
        this.server = server;
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
        return Uni.createFrom().completionStage(server.submit(new ModelServer.Rows(req.data(), rows)))
                .map(s -> OipCodec.inferResponse(req, new OipCodec.BatchSlice(s.served().name(),
                        s.served().version(), s.count(), s.batch().classes(), s.batch().probabilities(),
                        s.probabilityOffset(), s.batch().labels(), s.first())));
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
}
