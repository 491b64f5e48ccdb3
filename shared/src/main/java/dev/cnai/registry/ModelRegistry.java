package dev.cnai.registry;

import java.util.List;
import java.util.Optional;

/**
 * Stores trained ONNX models as OCI artifacts following the CNCF ModelPack spec. Versions are tags
 * {@code v1, v2, ...} assigned in push order; aliases such as {@code production} or {@code candidate}
 * are further tags that move between versions. A ref is a version or an alias. Runs refused by the quality
 * gate are kept as rejection records (tag {@code rejected-<run>}), which are neither versions nor aliases.
 *
 * <p>Implementations are thread-safe. Obtain one with {@link Registries#open(String)}: an OCI image layout on
 * disk, or any OCI distribution registry over HTTP(S).
 */
public interface ModelRegistry {

    /** The alias of the version that is served and that challengers are compared against. */
    String PRODUCTION = "production";

    /**
     * Registers a model. Idempotent by (name, runId): if a version with that run id exists it is returned
     * unchanged. Otherwise the next version {@code v<N>} is assigned, the current {@code production} version
     * (if any) is recorded as parent, and config, weight layer and manifest are pushed and tagged.
     * Concurrent pushes of the same run result in exactly one version (see the implementation for its scope).
     */
    ModelVersion push(ModelPush push);

    /** Points {@code alias} at {@code version}, moving it if it pointed elsewhere. */
    void tag(String name, String version, String alias);

    /** The version a ref (version or alias) denotes, if any. */
    Optional<ModelVersion> resolve(String name, String ref);

    /**
     * Fetches manifest, config and weight layer, each verified against its descriptor digest before returning.
     *
     * @throws RegistryException NOT_FOUND for an unknown model or ref, INTEGRITY for tampered content
     */
    PulledModel pull(String name, String ref);

    /** All versions of a model in numeric order, each with its aliases; empty for an unknown model. */
    List<ModelVersion> list(String name);

    /** The version pushed by a run, if any. */
    Optional<ModelVersion> findByRun(String name, String runId);

    /**
     * Deletes a version. Its blobs may stay until the registry's garbage collection.
     *
     * @throws RegistryException CONFLICT when an alias points at it, NOT_FOUND when there is no such version
     */
    void delete(String name, String version);

    /** Records (idempotently per run) that a run was refused by the quality gate. */
    void recordRejection(ModelRejection rejection);

    /** The rejection records of a model, ordered by creation time then run id. */
    List<ModelRejection> rejections(String name);

    /** A human-readable reference, e.g. {@code oci-layout:/abs/path/mnist-mlp:v1}; does not check existence. */
    String reference(String name, String ref);

    /** Names of the models present, sorted. */
    List<String> names();
}
