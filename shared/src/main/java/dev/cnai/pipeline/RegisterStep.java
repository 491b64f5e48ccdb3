package dev.cnai.pipeline;

import dev.cnai.events.EventTypes;
import dev.cnai.events.ModelEvaluated;
import dev.cnai.events.ModelPromoted;
import dev.cnai.events.ModelRegistered;
import dev.cnai.events.ModelRejected;
import dev.cnai.events.OutgoingEvent;
import dev.cnai.registry.ModelPush;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.ModelVersion;
import dev.cnai.storage.ObjectStore;
import dev.cnai.training.TrainingSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * register: applies the quality gate (an absolute accuracy bar, and not worse than the current
 * production model by more than a margin), pushes the ONNX model as a ModelPack OCI artifact with its
 * lineage, moves {@code production}, and emits {@code model.registered} + {@code model.promoted} or
 * {@code model.rejected}. The decision is stored per run, so a redelivered event re-emits it; the
 * registry's push is idempotent per run id, so no second version is ever created for one run.
 */
public final class RegisterStep {
    public static final String FUNCTION = "register";
    public static final String PRODUCTION = "production";

    /** The stored outcome of registering a run. */
    public record Registration(String runId, String modelName, boolean accepted, String reason, String version,
            String reference, String manifestDigest, String modelDigest, Map<String, Double> metrics, double accuracy,
            double minAccuracy) {
    }

    private final ObjectStore store;
    private final ModelRegistry registry;
    private final double defaultMinAccuracy;
    private final double championMargin;

    public RegisterStep(ObjectStore store, ModelRegistry registry, double defaultMinAccuracy, double championMargin) {
        this.store = store;
        this.registry = registry;
        this.defaultMinAccuracy = defaultMinAccuracy;
        this.championMargin = championMargin;
    }

    public synchronized List<OutgoingEvent> handle(ModelEvaluated e) {
        Registration reg = Json.get(store, Keys.registration(e.runId()), Registration.class).orElseGet(() -> decide(e));
        List<OutgoingEvent> out = new ArrayList<>();
        if (!reg.accepted()) {
            out.add(OutgoingEvent.of(EventTypes.MODEL_REJECTED, FUNCTION,
                    new ModelRejected(reg.runId(), reg.modelName(), reg.reason(), reg.accuracy(), reg.minAccuracy())));
            return out;
        }
        out.add(OutgoingEvent.of(EventTypes.MODEL_REGISTERED, FUNCTION, new ModelRegistered(reg.runId(), reg.modelName(),
                reg.version(), reg.reference(), reg.manifestDigest(), reg.modelDigest(), reg.metrics())));
        out.add(OutgoingEvent.of(EventTypes.MODEL_PROMOTED, FUNCTION, new ModelPromoted(reg.runId(), reg.modelName(),
                PRODUCTION, reg.version(), registry.reference(reg.modelName(), reg.version()), reg.manifestDigest(),
                reg.modelDigest())));
        return out;
    }

    private Registration decide(ModelEvaluated e) {
        RunPlan plan = Json.read(store, e.plan(), RunPlan.class);
        double min = plan.minAccuracy() != null ? plan.minAccuracy() : defaultMinAccuracy;
        double acc = e.test().accuracy();
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("accuracy", acc);
        metrics.put("macroF1", e.test().macroF1());
        metrics.put("loss", e.test().loss());
        metrics.put("validationAccuracy", e.validationAccuracy());

        Optional<ModelVersion> existing = registry.findByRun(e.modelName(), e.runId());
        String reason = existing.isPresent() ? null : gate(e.modelName(), acc, min);
        Registration reg;
        if (reason != null) {
            reg = new Registration(e.runId(), e.modelName(), false, reason, null, null, null, null, metrics, acc, min);
        } else {
            ModelVersion v = existing.orElseGet(() -> registry.push(new ModelPush(e.modelName(), e.runId(),
                    store.read(e.model()), plan.datasetDigest(), hyperParameters(plan), metrics,
                    Instant.ofEpochMilli(plan.createdAtMillis()).toString())));
            registry.tag(e.modelName(), v.version(), PRODUCTION);
            reg = new Registration(e.runId(), e.modelName(), true, null, v.version(),
                    registry.reference(e.modelName(), v.version()), v.manifestDigest(), v.modelDigest(), metrics, acc, min);
        }
        return Json.putIfAbsent(store, Keys.registration(e.runId()), reg, Registration.class);
    }

    /** Why the candidate fails the gate, or null when it passes. */
    private String gate(String name, double acc, double min) {
        if (acc < min) {
            return String.format(Locale.ROOT, "test accuracy %.4f is below the minimum %.4f", acc, min);
        }
        Optional<ModelVersion> champion = registry.resolve(name, PRODUCTION);
        if (champion.isPresent()) {
            Double champAcc = championAccuracy(champion.get());
            if (champAcc != null && acc < champAcc - championMargin) {
                return String.format(Locale.ROOT,
                        "test accuracy %.4f is worse than production %s (%.4f) by more than the margin %.4f", acc,
                        champion.get().version(), champAcc, championMargin);
            }
        }
        return null;
    }

    private static Double championAccuracy(ModelVersion v) {
        String json = v.annotations().get("dev.cnai.metrics");
        if (json == null) {
            return null;
        }
        Object acc = dev.cnai.events.EventCodec.read(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.class)
                .get("accuracy");
        return acc instanceof Number n ? n.doubleValue() : null;
    }

    private static Map<String, Object> hyperParameters(RunPlan plan) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("family", plan.model().family());
        h.put("hidden", plan.model().hidden());
        if (plan.model().conv() != null) {
            h.put("conv", plan.model().conv());
        }
        h.put("rounds", plan.training().rounds());
        h.put("localEpochs", plan.training().localEpochs());
        h.put("batchSize", plan.training().batchSize());
        h.put("learningRate", plan.training().learningRate());
        h.put("optimizer", plan.training().optimizer());
        if (TrainingSpec.ADAM.equals(plan.training().optimizer())) {
            h.put("beta1", plan.training().beta1());
            h.put("beta2", plan.training().beta2());
        } else {
            h.put("momentum", plan.training().momentum());
        }
        h.put("engine", plan.training().engine());
        h.put("provider", plan.training().provider());
        h.put("l2", plan.training().l2());
        h.put("seed", plan.training().seed());
        h.put("shards", plan.shards().size());
        return h;
    }
}
