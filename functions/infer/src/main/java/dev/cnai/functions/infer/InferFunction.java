package dev.cnai.functions.infer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cnai.events.EventCodec;
import dev.cnai.events.EventData;
import dev.cnai.events.EventTypes;
import dev.cnai.events.InferenceCompleted;
import dev.cnai.events.InferenceRequested;
import dev.cnai.events.ModelPromoted;
import dev.cnai.events.OutgoingEvent;
import dev.cnai.events.TraceContext;
import dev.cnai.functions.support.EventSink;
import dev.cnai.functions.support.EventTracing;
import dev.cnai.tracing.StepSpan;
import dev.cnai.serving.ModelServer;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * infer: {@code dev.cnai.inference.requested} (CloudEvent, or a plain JSON POST) → predictions of the
 * served model (queued in the same dynamic batcher as the Open Inference Protocol routes), replied as
 * {@code dev.cnai.inference.completed}; {@code dev.cnai.model.promoted} →
 * pull, verify and hot-swap the promoted version (no reply), unless this replica is pinned to a version by a
 * Knative canary revision.
 */
@ApplicationScoped
public class InferFunction {
    private final ModelServer server;
    private final ServingSetup.Config config;
    private final EventSink sink;
    private final EventTracing tracing;

    public InferFunction(ModelServer server, ServingSetup.Config config, EventSink sink, EventTracing tracing) {
        this.server = server;
        this.config = config;
        this.sink = sink;
        this.tracing = tracing;
    }

    @Funq("infer")
    public Uni<CloudEvent<InferenceCompleted>> infer(CloudEvent<JsonNode> event) {
        EventData data = EventCodec.bind(event.type(), event.data());
        StepSpan span = tracing.consume(event, data.runId());
        try {
            if (data instanceof ModelPromoted promoted) {
                span.model(promoted.modelName(), promoted.version());
                if (promoted.modelName().equals(server.modelName()) && config.modelVersion().isEmpty()) {
                    server.load(promoted.alias());
                }
                span.close();
                return Uni.createFrom().nullItem();
            }
            server.served().ifPresent(m -> span.model(m.name(), m.version())
                    .trainedBy(TraceContext.of(m.trainingTraceparent(), null).orElse(null)));
            return Uni.createFrom().completionStage(server.submit((InferenceRequested) data))
                    .map(done -> sink.<InferenceCompleted>reply(span.stamp(new OutgoingEvent(EventTypes.INFERENCE_COMPLETED,
                            event.subject(), event.id() + "/inference.completed", done))))
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
}
