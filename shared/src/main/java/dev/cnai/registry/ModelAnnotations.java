package dev.cnai.registry;

/** Annotation keys used on model manifests and layers. */
public final class ModelAnnotations {
    private ModelAnnotations() {
    }

    /** Prefix of our own annotations. */
    public static final String PREFIX = "dev.cnai.";
    /** Id of the training run that produced the model. */
    public static final String RUN_ID = PREFIX + "run.id";
    /** {@code sha256:<hex>} of the training dataset. */
    public static final String DATASET_DIGEST = PREFIX + "dataset.digest";
    /** Hyper-parameters as compact JSON with sorted keys. */
    public static final String HYPERPARAMETERS = PREFIX + "hyperparameters";
    /** Metrics as compact JSON with sorted keys. */
    public static final String METRICS = PREFIX + "metrics";
    /** {@code sha256:<hex>} of the test split the metrics were measured on. */
    public static final String TEST_DIGEST = PREFIX + "test.digest";
    /** Why the quality gate rejected a run (on rejection records only). */
    public static final String REJECTION_REASON = PREFIX + "rejection.reason";
    /** The version that was {@code production} when this one was pushed. */
    public static final String PARENT_VERSION = PREFIX + "parent.version";
    /** W3C traceparent of the run that trained the model (its trace id is the run's trace); absent when untraced. */
    public static final String RUN_TRACEPARENT = PREFIX + "run.traceparent";
    /** OCI: version of the packaged software (our {@code v<N>}). */
    public static final String OCI_VERSION = "org.opencontainers.image.version";
    /** OCI: creation time, RFC 3339. */
    public static final String OCI_CREATED = "org.opencontainers.image.created";
    /** OCI: file name of a layer, used by {@code oras pull} to name the file it writes. */
    public static final String OCI_TITLE = "org.opencontainers.image.title";
    /** OCI image layout: the tag of a manifest in {@code index.json}. */
    public static final String OCI_REF_NAME = "org.opencontainers.image.ref.name";
    /** ModelPack: path of a layer's file within the model. */
    public static final String MODEL_FILEPATH = "org.cncf.model.filepath";
}
