package dev.cnai.events;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The event catalogue: every CloudEvent type of the pipeline, defined once. {@code docs/events.md}
 * documents them; the Trigger manifests in {@code knative/} route them (a test checks both agree).
 */
public final class EventTypes {
    private EventTypes() {
    }

    public static final String RUN_REQUESTED = "dev.cnai.run.requested";
    public static final String DATASET_PREPARED = "dev.cnai.dataset.prepared";
    public static final String SHARD_ASSIGNED = "dev.cnai.shard.assigned";
    public static final String SHARD_TRAINED = "dev.cnai.shard.trained";
    public static final String ROUND_COMPLETED = "dev.cnai.round.completed";
    public static final String MODEL_EVALUATED = "dev.cnai.model.evaluated";
    public static final String MODEL_REGISTERED = "dev.cnai.model.registered";
    public static final String MODEL_REJECTED = "dev.cnai.model.rejected";
    public static final String MODEL_PROMOTED = "dev.cnai.model.promoted";
    public static final String INFERENCE_REQUESTED = "dev.cnai.inference.requested";
    public static final String INFERENCE_COMPLETED = "dev.cnai.inference.completed";
    public static final String PIPELINE_FAILED = "dev.cnai.pipeline.failed";

    /** The CloudEvent {@code source} prefix of events our functions emit: {@code /cnai/<function>}. */
    public static final String SOURCE_PREFIX = "/cnai/";

    private static final Map<String, Class<? extends EventData>> DATA = new LinkedHashMap<>();

    static {
        DATA.put(RUN_REQUESTED, RunRequested.class);
        DATA.put(DATASET_PREPARED, DatasetPrepared.class);
        DATA.put(SHARD_ASSIGNED, ShardAssigned.class);
        DATA.put(SHARD_TRAINED, ShardTrained.class);
        DATA.put(ROUND_COMPLETED, RoundCompleted.class);
        DATA.put(MODEL_EVALUATED, ModelEvaluated.class);
        DATA.put(MODEL_REGISTERED, ModelRegistered.class);
        DATA.put(MODEL_REJECTED, ModelRejected.class);
        DATA.put(MODEL_PROMOTED, ModelPromoted.class);
        DATA.put(INFERENCE_REQUESTED, InferenceRequested.class);
        DATA.put(INFERENCE_COMPLETED, InferenceCompleted.class);
        DATA.put(PIPELINE_FAILED, PipelineFailed.class);
    }

    /** Every type with the record class of its {@code data}, in catalogue order. */
    public static Map<String, Class<? extends EventData>> all() {
        return Map.copyOf(DATA);
    }

    public static Optional<Class<? extends EventData>> dataClass(String type) {
        return Optional.ofNullable(DATA.get(type));
    }

    /** Classpath resource of the JSON Schema of a type's {@code data}. */
    public static String schemaResource(String type) {
        return "/dev/cnai/events/schemas/" + type + ".schema.json";
    }
}
