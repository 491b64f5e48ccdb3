package dev.cnai.pipeline;

import dev.cnai.events.EventCodec;
import dev.cnai.storage.ArtifactRef;
import dev.cnai.storage.ObjectStore;
import java.util.Optional;

/** JSON documents in the object store. */
final class Json {
    private Json() {
    }

    static <T> Optional<T> get(ObjectStore store, String key, Class<T> type) {
        return store.get(key).map(b -> EventCodec.read(b, type));
    }

    static <T> T read(ObjectStore store, ArtifactRef ref, Class<T> type) {
        return EventCodec.read(store.read(ref), type);
    }

    /** Stores a document unless one exists, and returns the stored one (first writer wins). */
    static <T> T putIfAbsent(ObjectStore store, String key, T value, Class<T> type) {
        ObjectStore.PutResult r = store.putIfAbsent(key, EventCodec.encode(value));
        return r.created() ? value : get(store, key, type).orElseThrow();
    }
}
