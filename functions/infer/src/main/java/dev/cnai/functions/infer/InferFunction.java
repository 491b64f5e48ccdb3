package dev.cnai.functions.infer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cnai.events.EventCodec;
import dev.cnai.events.EventData;
import dev.cnai.events.EventTypes;
import dev.cnai.events.InferenceCompleted;
import dev.cnai.events.InferenceRequested;
import dev.cnai.events.ModelPromoted;
import dev.cnai.events.OutgoingEvent;
import dev.cnai.functions.support.EventSink;
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

    public InferFunction(ModelServer server, ServingSetup.Config config, EventSink sink) {
        this.server = server;
        this.config = config;
        this.sink = sink;
    }

    @Funq("infer")
    public Uni<CloudEvent<InferenceCompleted>> infer(CloudEvent<JsonNode> event) {
        EventData data = EventCodec.bind(event.type(), event.data());
        if (data instanceof ModelPromoted promoted) {
            if (promoted.modelName().equals(server.modelName()) && config.modelVersion().isEmpty()) {
                server.load(promoted.alias());
            }
            return Uni.createFrom().nullItem();
        }
        return Uni.createFrom().completionStage(server.submit((InferenceRequested) data))
                .map(done -> sink.reply(new OutgoingEvent(EventTypes.INFERENCE_COMPLETED, event.subject(),
                        event.id() + "/inference.completed", done)));
    }
}
