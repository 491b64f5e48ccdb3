package dev.cnai.storage;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * Object storage chosen by URI scheme. Keys are relative, '/'-separated paths without '..'.
 * Writes are atomic: a reader sees either the whole old object or the whole new one, never a part.
 */
public interface ObjectStore {

    /** Writes (or replaces) an object atomically and returns its reference. */
    ArtifactRef put(String key, byte[] data);

    /**
     * Writes an object only if no object exists under the key, atomically.
     *
     * @return the reference of the object now stored under the key, and whether this call created it
     */
    PutResult putIfAbsent(String key, byte[] data);

    /** The bytes under a key, if present. */
    Optional<byte[]> get(String key);

    /** The bytes a reference points at, checked against its digest; never returns tampered bytes. */
    byte[] read(ArtifactRef ref);

    boolean exists(String key);

    /** Keys directly or indirectly under a prefix, sorted. */
    List<String> list(String prefix);

    /** Deletes a key if present. */
    void delete(String key);

    /** The absolute URI of a key in this store. */
    URI uri(String key);

    /** The reference of an existing object (digest computed from the stored bytes). */
    default Optional<ArtifactRef> ref(String key) {
        return get(key).map(b -> new ArtifactRef(uri(key).toString(), Digests.sha256(b), b.length));
    }

    /** Outcome of {@link #putIfAbsent}. */
    record PutResult(ArtifactRef ref, boolean created) {
    }
}
