package dev.cnai.registry;

import java.util.List;

/**
 * What copying one model between registries did ({@link RegistryMirror}). Tags are versions, aliases, rejection
 * records and any other tag of the model's repository (e.g. signature tags); blobs are the config and layers the
 * tagged manifests reference.
 *
 * @param name        model name
 * @param tagsCopied  tags created or moved on the target (includes {@code moved})
 * @param tagsPresent tags the target already had at the source's digest
 * @param moved       tags other than versions that pointed elsewhere on the target and were moved to the source's
 *                    manifest, each as {@code tag (old -> new)}
 * @param blobsCopied blobs written to the target
 * @param blobsSkipped blobs the target already had
 * @param bytesCopied bytes of the blobs and manifests written to the target
 * @param refusal     why nothing was changed for this model, or null when it was copied
 */
public record ModelCopy(String name, int tagsCopied, int tagsPresent, List<String> moved, int blobsCopied,
        int blobsSkipped, long bytesCopied, RegistryException refusal) {

    public ModelCopy {
        moved = moved == null ? List.of() : List.copyOf(moved);
    }

    /** A model that was not copied (CONFLICT, INTEGRITY, …); nothing was tagged on the target for it. */
    public static ModelCopy refused(String name, RegistryException refusal) {
        return new ModelCopy(name, 0, 0, List.of(), 0, 0, 0, refusal);
    }

    /** Whether the copy of this model was refused. */
    public boolean isRefused() {
        return refusal != null;
    }

    /** Whether the target already had everything: nothing was written. */
    public boolean isNoOp() {
        return refusal == null && tagsCopied == 0 && blobsCopied == 0;
    }
}
