package dev.cnai.functions.support;

import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.Registries;
import dev.cnai.storage.ObjectStore;
import dev.cnai.storage.ObjectStores;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** CDI producers of the shared library's I/O objects, opened from {@link FunctionConfig}. */
@ApplicationScoped
public class StoreProducers {

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
}
