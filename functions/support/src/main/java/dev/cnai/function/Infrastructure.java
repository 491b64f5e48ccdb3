package dev.cnai.function;

import dev.cnai.events.OutgoingEvent;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.Registries;
import dev.cnai.storage.ObjectStore;
import dev.cnai.storage.ObjectStores;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** CDI producers of the shared library's I/O objects, opened from {@link FunctionConfig}. */
@ApplicationScoped
public class Infrastructure {

    @Produces
    @ApplicationScoped
    ObjectStore objectStore(FunctionConfig config) {
        return ObjectStores.open(config.storageRoot());
    }

    @Produces
    @ApplicationScoped
    ModelRegistry modelRegistry(FunctionConfig config) {
        return Registries.open(config.registry());
    }

    /** The Funqy reply form of an outgoing event (sent back as the HTTP response; the broker re-injects it). */
    @SuppressWarnings("unchecked")
    public static <T> CloudEvent<T> reply(OutgoingEvent e) {
        return (CloudEvent<T>) CloudEventBuilder.create().specVersion("1.0").id(e.id()).type(e.type()).source(e.source())
                .subject(e.subject()).build(e.data());
    }
}
