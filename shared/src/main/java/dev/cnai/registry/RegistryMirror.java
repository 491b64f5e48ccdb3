package dev.cnai.registry;

import dev.cnai.registry.impl.OciMirror;
import java.util.ArrayList;
import java.util.List;

/**
 * Mirrors models from one registry to another at the OCI level, for backups and disaster recovery: every tag of a
 * model (versions, aliases, rejection records, signature tags, …) with its manifest and every blob it references,
 * byte for byte, so digests are the same on both sides. Works between any two registries
 * {@link Registries#open(String)} returns (image layout or distribution registry, either way).
 *
 * <p>Per model: every blob read from the source is checked against its descriptor (INTEGRITY on mismatch); all
 * blobs are written before any manifest and tag, so a refused copy leaves no new tag (at most unreferenced blobs
 * the target's garbage collection removes). Idempotent: what the target has is skipped, so a second copy writes
 * nothing. A version ({@code vN}) the target has at another digest is a CONFLICT and nothing is changed for that
 * model (versions are immutable); any other tag that differs is moved to the source's manifest (the source is the
 * truth being mirrored) and reported. Tags only the target has are left alone.
 */
public final class RegistryMirror {
    private RegistryMirror() {
    }

    /**
     * Copies one model.
     *
     * @throws RegistryException NOT_FOUND when the source has no such model, CONFLICT for a diverged version,
     *                           INTEGRITY for tampered source content, UNAVAILABLE/INVALID_INPUT for registry errors
     */
    public static ModelCopy copy(ModelRegistry from, ModelRegistry to, String name) {
        return OciMirror.copy(from, to, name);
    }

    /**
     * Copies every model of the source ({@link ModelRegistry#names()}), in name order. A model that is refused is
     * reported with its {@link ModelCopy#refusal()} and the others are still copied.
     *
     * @throws RegistryException when the source's models cannot be listed
     */
    public static List<ModelCopy> copyAll(ModelRegistry from, ModelRegistry to) {
        List<ModelCopy> out = new ArrayList<>();
        for (String name : from.names()) {
            try {
                out.add(copy(from, to, name));
            } catch (RegistryException e) {
                out.add(ModelCopy.refused(name, e));
            }
        }
        return out;
    }
}
