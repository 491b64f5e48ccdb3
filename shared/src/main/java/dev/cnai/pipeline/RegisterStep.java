package dev.cnai.pipeline;

import dev.cnai.events.EventCodec;
import dev.cnai.events.EventTypes;
import dev.cnai.events.TraceContext;
import dev.cnai.events.ModelEvaluated;
import dev.cnai.events.ModelPromoted;
import dev.cnai.events.ModelRegistered;
import dev.cnai.events.ModelRejected;
import dev.cnai.events.OutgoingEvent;
import dev.cnai.data.Dataset;
import dev.cnai.data.ShardCodec;
import dev.cnai.onnx.OnnxException;
import dev.cnai.onnx.OnnxModel;
import dev.cnai.onnx.Prediction;
import dev.cnai.registry.ModelAnnotations;
import dev.cnai.registry.ModelPush;
import dev.cnai.registry.ModelRejection;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.ModelVersion;
import dev.cnai.storage.ObjectStore;
import dev.cnai.training.Metrics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * register: applies the quality gate (an absolute accuracy bar, and champion/challenger: not worse than the
 * current production model by more than a margin <em>on the same test split</em>), pushes the ONNX model as a
 * ModelPack OCI artifact with its lineage, moves {@code production}, rolls it out (see {@link Rollout}) and emits
 * {@code model.registered} + {@code model.promoted}, or records a rejection in the registry and emits
 * {@code model.rejected}. The decision is stored per run; a redelivered event re-emits it (and re-runs the
 * idempotent rollout) only while the first emission is unconfirmed, and emits nothing once it was ({@link Outbox});
 * the registry's push is idempotent per run id, so no second version is ever created for one run.
 *
 * <p>Same test split: when production's recorded test-split digest equals the candidate's, their recorded test
 * accuracies are compared. Otherwise production is pulled and scored with ONNX Runtime on the candidate's test
 * split, and that accuracy is compared. If production cannot score that split (different features or classes),
 * the models solve different tasks and only the absolute bar applies.
 */
public final class RegisterStep {
    private static final String EMISSION = "register";

    /** The stored outcome of registering a run. */
    public record Registration(String runId, String modelName, boolean accepted, String reason, String version,
            String reference, String manifestDigest, String modelDigest, Map<String, Double> metrics, double accuracy,
            double minAccuracy) {
    }

    /** Serves a newly accepted production version (e.g. a Knative canary rollout); must be idempotent. */
    @FunctionalInterface
    public interface Rollout {
        /** No rollout: infer follows {@code model.promoted} (local mode). */
        Rollout NONE = reg -> { };

        void roll(Registration registration);
    }

    private final ObjectStore store;
    private final ModelRegistry registry;
    private final double defaultMinAccuracy;
    private final double championMargin;
    private final Rollout rollout;
    private final Outbox outbox;

    public RegisterStep(ObjectStore store, ModelRegistry registry, double defaultMinAccuracy, double championMargin) {
        this(store, registry, defaultMinAccuracy, championMargin, Rollout.NONE);
    }

    public RegisterStep(ObjectStore store, ModelRegistry registry, double defaultMinAccuracy, double championMargin,
            Rollout rollout) {
        this.store = store;
        this.registry = registry;
        this.defaultMinAccuracy = defaultMinAccuracy;
        this.championMargin = championMargin;
        this.rollout = rollout;
        this.outbox = new Outbox(store);
    }

    /** {@link #handle(ModelEvaluated, EventSender)} for in-process drivers: the returned events count as sent. */
    public List<OutgoingEvent> handle(ModelEvaluated e) {
        return handle(e, EventSender.RETURNED);
    }

    /**
     * Decides the run (once) and sends the outcome through {@code sender}, unless that emission was confirmed.
     * Serialised: the gate compares with production, which an earlier decision may just have moved.
     *
     * @return the events sent (empty for a redelivery after the emission was confirmed)
     */
    public List<OutgoingEvent> handle(ModelEvaluated e, EventSender sender) {
        return handle(e, null, sender);
    }

    /**
     * {@link #handle(ModelEvaluated, EventSender)}, recording {@code trace} (the registering span's context) in the
     * pushed model's lineage ({@link ModelAnnotations#RUN_TRACEPARENT}), so that serving links to the run's trace.
     */
    public synchronized List<OutgoingEvent> handle(ModelEvaluated e, TraceContext trace, EventSender sender) {
        if (outbox.confirmed(e.runId(), EMISSION)) {
            return List.of();
        }
        Registration reg = Json.get(store, Keys.registration(e.runId()), Registration.class)
                .orElseGet(() -> decide(e, trace == null ? null : trace.traceparent()));
        return outbox.send(e.runId(), EMISSION, outcome(reg), sender);
    }

    private List<OutgoingEvent> outcome(Registration reg) {
        List<OutgoingEvent> out = new ArrayList<>();
        if (!reg.accepted()) {
            out.add(OutgoingEvent.of(EventTypes.MODEL_REJECTED, new ModelRejected(reg.runId(), reg.modelName(), reg.reason(), reg.accuracy(), reg.minAccuracy())));
            return out;
        }
        rollout.roll(reg);
        out.add(OutgoingEvent.of(EventTypes.MODEL_REGISTERED, new ModelRegistered(reg.runId(), reg.modelName(),
                reg.version(), reg.reference(), reg.manifestDigest(), reg.modelDigest(), reg.metrics())));
        out.add(OutgoingEvent.of(EventTypes.MODEL_PROMOTED, new ModelPromoted(reg.runId(), reg.modelName(),
                ModelRegistry.PRODUCTION, reg.version(), registry.reference(reg.modelName(), reg.version()),
                reg.manifestDigest(), reg.modelDigest())));
        return out;
    }

    private Registration decide(ModelEvaluated e, String traceparent) {
        RunPlan plan = Json.read(store, e.plan(), RunPlan.class);
        double min = plan.minAccuracy() != null ? plan.minAccuracy() : defaultMinAccuracy;
        double acc = e.test().accuracy();
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("accuracy", acc);
        metrics.put("macroF1", e.test().macroF1());
        metrics.put("loss", e.test().loss());
        metrics.put("validationAccuracy", e.validationAccuracy());

        String name = e.modelName();
        String createdAt = Instant.ofEpochMilli(plan.createdAtMillis()).toString();
        Optional<ModelVersion> existing = registry.findByRun(name, e.runId());
        Optional<String> recorded = registry.rejections(name).stream().filter(r -> e.runId().equals(r.runId()))
                .map(ModelRejection::reason).findFirst();
        Verdict verdict = recorded.map(r -> new Verdict(r, false))
                .orElseGet(() -> existing.isPresent() ? Verdict.PASS : gate(name, acc, min, plan));
        if (verdict.reason() != null) {
            if (recorded.isEmpty()) {
                registry.recordRejection(new ModelRejection(name, e.runId(), verdict.reason(), plan.datasetDigest(),
                        metrics, createdAt));
            }
            // a challenger that lost to the champion is kept as a version (never promoted) for compare/promote
            Optional<ModelVersion> kept = verdict.keepVersion() ? Optional.of(push(e, plan, metrics, createdAt, traceparent))
                    : existing;
            Registration reg = new Registration(e.runId(), name, false, verdict.reason(),
                    kept.map(ModelVersion::version).orElse(null),
                    kept.map(v -> registry.reference(name, v.version())).orElse(null),
                    kept.map(ModelVersion::manifestDigest).orElse(null), kept.map(ModelVersion::modelDigest).orElse(null),
                    metrics, acc, min);
            return Json.putIfAbsent(store, Keys.registration(e.runId()), reg, Registration.class);
        }
        ModelVersion v = existing.orElseGet(() -> push(e, plan, metrics, createdAt, traceparent));
        registry.tag(name, v.version(), ModelRegistry.PRODUCTION);
        Registration reg = new Registration(e.runId(), name, true, null, v.version(), registry.reference(name,
                v.version()), v.manifestDigest(), v.modelDigest(), metrics, acc, min);
        return Json.putIfAbsent(store, Keys.registration(e.runId()), reg, Registration.class);
    }

    private ModelVersion push(ModelEvaluated e, RunPlan plan, Map<String, Double> metrics, String createdAt,
            String traceparent) {
        return registry.push(new ModelPush(e.modelName(), e.runId(), store.read(e.model()), plan.datasetDigest(),
                hyperParameters(plan), metrics, createdAt, plan.test().digest(), traceparent));
    }

    /** The gate's outcome: a reason to refuse (null to accept), and whether to keep the refused model as a version. */
    private record Verdict(String reason, boolean keepVersion) {
        static final Verdict PASS = new Verdict(null, false);
    }

    private Verdict gate(String name, double acc, double min, RunPlan plan) {
        if (acc < min) {
            return new Verdict(String.format(Locale.ROOT, "test accuracy %.4f is below the minimum %.4f", acc, min),
                    false);
        }
        Optional<ModelVersion> champion = registry.resolve(name, ModelRegistry.PRODUCTION);
        if (champion.isEmpty()) {
            return Verdict.PASS;
        }
        ModelVersion prod = champion.get();
        String testDigest = plan.test().digest();
        Double champAcc;
        String how;
        if (testDigest.equals(prod.annotations().get(ModelAnnotations.TEST_DIGEST))) {
            champAcc = championAccuracy(prod);
            how = "on the same test split";
        } else {
            champAcc = rescore(name, prod, plan);
            how = "re-scored on this run's test split " + testDigest.substring(0, Math.min(19, testDigest.length()));
        }
        if (champAcc != null && acc < champAcc - championMargin) {
            return new Verdict(String.format(Locale.ROOT,
                    "test accuracy %.4f is worse than production %s (%.4f %s) by more than the margin %.4f", acc,
                    prod.version(), champAcc, how, championMargin), true);
        }
        return Verdict.PASS;
    }

    /** Production's accuracy on the candidate's test split (ONNX Runtime), or null if it cannot score it. */
    private Double rescore(String name, ModelVersion prod, RunPlan plan) {
        Dataset test = ShardCodec.decode(store.read(plan.test()));
        byte[] onnx = registry.pull(name, prod.version()).onnx();
        try (OnnxModel model = OnnxModel.load(onnx, 1)) {
            if (model.features() != test.features()) {
                return null;
            }
            Prediction p = model.predict(test.x(), test.rows());
            if (p.classes() != test.classes()) {
                return null;
            }
            return Metrics.of(test.y(), p.probabilities(), test.classes()).accuracy();
        } catch (OnnxException ex) {
            return null;
        }
    }

    private static Double championAccuracy(ModelVersion v) {
        String json = v.annotations().get(ModelAnnotations.METRICS);
        if (json == null) {
            return null;
        }
        Object acc = EventCodec.read(json.getBytes(StandardCharsets.UTF_8), Map.class)
                .get("accuracy");
        return acc instanceof Number n ? n.doubleValue() : null;
    }

    /**
     * The lineage's hyper-parameters: the run's validated configuration in its wire form, every default written
     * out, plus the shard count. Derived from the configuration types, so a new hyper-parameter appears here
     * without touching this method.
     */
    private static Map<String, Object> hyperParameters(RunPlan plan) {
        Map<String, Object> h = new LinkedHashMap<>();
        putAll(h, plan.model().toSpec());
        putAll(h, plan.training().toSpec());
        h.put("shards", plan.shards().size());
        return h;
    }

    private static void putAll(Map<String, Object> into, Object wire) {
        Map<?, ?> fields = EventCodec.mapper().convertValue(wire, Map.class);
        fields.forEach((k, v) -> {
            if (v != null) {
                into.put((String) k, v);
            }
        });
    }
}
