package dev.cnai.functions.infer;

import dev.cnai.events.TraceContext;
import dev.cnai.functions.support.EventTracing;
import dev.cnai.serving.ModelServer;
import dev.cnai.serving.OipCodec;
import dev.cnai.serving.OipRequest;
import dev.cnai.serving.OipRequestReader;
import dev.cnai.serving.ServingException;
import dev.cnai.tracing.StepSpan;
import io.opentelemetry.api.trace.SpanKind;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The Open Inference Protocol v2 operations of this server: one model (its registry name), served at the
 * version {@code production} points at. A request naming another version of it gets 404: versions are
 * not loaded on demand (see docs/operations.md). Adapts OIP to {@link ModelServer}: parse and check with
 * {@link OipCodec} within the configured {@link ServingSetup.Limits}, queue with
 * {@link ModelServer#submit(ModelServer.Rows)} (the dynamic batcher), encode. Each inference is a span
 * ({@code infer predict}, child of the caller's W3C traceparent header if any) with the served model's name and
 * version, linked to the trace of the run that trained it (its lineage's traceparent).
 */
@ApplicationScoped
public class OipService {
    private final ModelServer server;
    private final EventTracing tracing;
    private final OipRequestReader reader;

    /** @throws IllegalArgumentException when a {@code cnai.infer.limits.*} value is out of range (start-up fails) */
    public OipService(ModelServer server, EventTracing tracing, ServingSetup.Config config) {
        this.server = server;
        this.tracing = tracing;
        this.reader = OipCodec.reader(config.limits());
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

    /**
     * Parses, checks and queues an inference request; the Uni gives the response body. Its span ({@code infer
     * predict}, kind SERVER) continues the caller's trace when the request carried a W3C {@code traceparent}.
     */
    public Uni<byte[]> infer(String name, String version, byte[] body, TraceContext caller) {
        StepSpan span = tracing.start("infer predict", SpanKind.SERVER, caller).model(name, version);
        try {
            ModelServer.Loaded loaded = resolve(name, version, true);
            span.model(loaded.name(), loaded.version())
                    .trainedBy(TraceContext.of(loaded.trainingTraceparent(), null).orElse(null));
            OipRequest req = reader.read(body);
            int rows = OipCodec.rows(req, loaded.model());
            return Uni.createFrom().completionStage(server.submit(new ModelServer.Rows(req.data(), rows)))
                    .map(s -> OipCodec.inferResponse(req, new OipCodec.BatchSlice(s.served().name(),
                            s.served().version(), s.count(), s.batch().classes(), s.batch().probabilities(),
                            s.probabilityOffset(), s.batch().labels(), s.first())))
                    .onFailure().invoke(span::error)
                    .onTermination().invoke(span::end);
        } catch (RuntimeException e) {
            span.error(e);
            span.end();
            throw e;
        } finally {
            span.leave();
        }
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
