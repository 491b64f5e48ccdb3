package dev.cnai.pipeline;

import dev.cnai.data.Dataset;
import dev.cnai.data.ShardCodec;
import dev.cnai.events.EventTypes;
import dev.cnai.events.ModelEvaluated;
import dev.cnai.events.OutgoingEvent;
import dev.cnai.events.RoundCompleted;
import dev.cnai.events.ShardAssigned;
import dev.cnai.events.ShardTrained;
import dev.cnai.onnx.OnnxExporter;
import dev.cnai.onnx.OnnxModel;
import dev.cnai.onnx.Prediction;
import dev.cnai.storage.ArtifactRef;
import dev.cnai.storage.ObjectStore;
import dev.cnai.training.ClassificationMetrics;
import dev.cnai.training.FedAvg;
import dev.cnai.training.JavaModel;
import dev.cnai.training.Metrics;
import dev.cnai.training.Models;
import dev.cnai.training.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * evaluate: the fan-in. Each {@code shard.trained} is recorded once under (run, round, shard); when
 * every shard of the round has reported, the updates are averaged (FedAvg, weighted by samples),
 * scored on the validation split, and the round is decided: next round, early stop, or done (then
 * the best round's weights are exported to ONNX and scored on the test split with ONNX Runtime).
 * Exactly one delivery decides a round: the first delivery of the last missing report, which claims the
 * round result with a create-if-absent write. A redelivered report (already recorded) re-emits the
 * stored outcome with the same event ids, so a crash between deciding and emitting loses nothing.
 */
public final class EvaluateStep {
    public static final String FUNCTION = "evaluate";

    /** The stored outcome of a round. */
    public record RoundResult(int round, int rounds, double trainLoss, double validationLoss, double validationAccuracy,
            String decision, int bestRound, ArtifactRef averaged, ArtifactRef best, long elapsedMillis) {
    }

    private final ObjectStore store;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    public EvaluateStep(ObjectStore store) {
        this.store = store;
    }

    public List<OutgoingEvent> handle(ShardTrained t) {
        boolean firstDelivery = store.putIfAbsent(Keys.report(t.runId(), t.round(), t.shard()),
                dev.cnai.events.EventCodec.encode(t)).created();
        synchronized (locks.computeIfAbsent(t.runId() + "/" + t.round(), k -> new Object())) {
            RunPlan plan = Json.read(store, t.plan(), RunPlan.class);
            var stored = Json.get(store, Keys.roundResult(t.runId(), t.round()), RoundResult.class);
            if (!firstDelivery) {
                // a redelivery: re-emit the round's outcome if it was decided, else there is nothing to say yet
                return stored.map(r -> events(plan, t, r)).orElse(List.of());
            }
            if (stored.isPresent()) {
                return List.of(); // another shard's delivery decided this round and emitted its outcome
            }
            List<ShardTrained> reports = reports(t);
            if (reports.size() < t.shardCount()) {
                return List.of();
            }
            ObjectStore.PutResult claim = store.putIfAbsent(Keys.roundResult(t.runId(), t.round()),
                    dev.cnai.events.EventCodec.encode(aggregate(plan, t, reports)));
            if (!claim.created()) {
                return List.of(); // a concurrent delivery (another replica) decided first and emits
            }
            return events(plan, t, Json.get(store, Keys.roundResult(t.runId(), t.round()), RoundResult.class).orElseThrow());
        }
    }

    private List<ShardTrained> reports(ShardTrained t) {
        List<ShardTrained> out = new ArrayList<>();
        for (String key : store.list(Keys.reportsPrefix(t.runId(), t.round()))) {
            out.add(Json.get(store, key, ShardTrained.class).orElseThrow());
        }
        return out;
    }

    private RoundResult aggregate(RunPlan plan, ShardTrained t, List<ShardTrained> reports) {
        List<Weights> updates = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        double lossSum = 0;
        int samples = 0;
        for (ShardTrained r : reports) {
            updates.add(Weights.decode(store.read(r.weights())));
            counts.add(r.samples());
            lossSum += r.trainLoss() * r.samples();
            samples += r.samples();
        }
        Weights avg = FedAvg.average(updates, counts);
        ArtifactRef avgRef = store.put(Keys.averaged(t.runId(), t.round()), avg.encode());

        Dataset val = ShardCodec.decode(store.read(plan.validation()));
        ClassificationMetrics m = Metrics.of(val.y(), validationProbabilities(plan, avg, val), val.classes());

        RoundResult previous = t.round() == 1 ? null
                : Json.get(store, Keys.roundResult(t.runId(), t.round() - 1), RoundResult.class).orElseThrow();
        int bestRound = t.round();
        ArtifactRef best = avgRef;
        if (previous != null) {
            RoundResult prevBest = Json.get(store, Keys.roundResult(t.runId(), previous.bestRound()), RoundResult.class)
                    .orElseThrow();
            if (prevBest.validationLoss() <= m.loss()) {
                bestRound = prevBest.round();
                best = prevBest.averaged();
            }
        }
        int rounds = plan.training().rounds();
        String decision;
        if (t.round() >= rounds) {
            decision = "done";
        } else if (t.round() - bestRound >= plan.training().patience()) {
            decision = "early-stop";
        } else {
            decision = "continue";
        }
        long elapsed = System.currentTimeMillis() - plan.createdAtMillis();
        return new RoundResult(t.round(), rounds, lossSum / samples, m.loss(), m.accuracy(), decision, bestRound, avgRef,
                best, elapsed);
    }

    private List<OutgoingEvent> events(RunPlan plan, ShardTrained t, RoundResult r) {
        List<OutgoingEvent> out = new ArrayList<>();
        RoundCompleted rc = new RoundCompleted(t.runId(), r.round(), r.rounds(), r.trainLoss(), r.validationLoss(),
                r.validationAccuracy(), r.decision(), r.elapsedMillis(), r.averaged());
        out.add(OutgoingEvent.of(EventTypes.ROUND_COMPLETED, FUNCTION, rc, "round-" + r.round()));
        if ("continue".equals(r.decision())) {
            int next = r.round() + 1;
            ArtifactRef global = store.putIfAbsent(Keys.globalWeights(t.runId(), next), store.read(r.averaged())).ref();
            for (var s : plan.shards()) {
                ShardAssigned a = new ShardAssigned(t.runId(), next, s.index(), plan.shards().size(), s.rows(), s.data(),
                        global, t.plan());
                out.add(OutgoingEvent.of(EventTypes.SHARD_ASSIGNED, FUNCTION, a, "round-" + next, "shard-" + s.index()));
            }
        } else {
            ModelEvaluated e = Json.get(store, Keys.evaluated(t.runId()), ModelEvaluated.class)
                    .orElseGet(() -> finish(plan, t, r));
            out.add(OutgoingEvent.of(EventTypes.MODEL_EVALUATED, FUNCTION, e));
        }
        return out;
    }

    /**
     * Probabilities of the validation rows: the plain-Java reference for softmax/MLP, the exported ONNX graph
     * on ONNX Runtime for a CNN (which has no plain-Java forward pass).
     */
    private static float[] validationProbabilities(RunPlan plan, Weights w, Dataset val) {
        if (!Models.normalize(plan.model()).family().equals(Models.CNN)) {
            return JavaModel.predictProba(plan.model(), w, val, plan.stats());
        }
        byte[] onnx = OnnxExporter.export(plan.model(), w, plan.stats(), plan.features(), plan.classes(), null);
        try (OnnxModel model = OnnxModel.load(onnx, 1)) {
            return model.predict(val.x(), val.rows()).probabilities();
        }
    }

    private ModelEvaluated finish(RunPlan plan, ShardTrained t, RoundResult r) {
        Weights best = Weights.decode(store.read(r.best()));
        byte[] onnx = OnnxExporter.export(plan.model(), best, plan.stats(), plan.features(), plan.classes(),
                Map.of("cnai.run.id", plan.runId(), "cnai.model.name", plan.modelName(),
                        "cnai.dataset.digest", plan.datasetDigest(), "cnai.round", Integer.toString(r.bestRound())));
        ArtifactRef modelRef = store.put(Keys.model(t.runId()), onnx);
        Dataset test = ShardCodec.decode(store.read(plan.test()));
        ClassificationMetrics m;
        try (OnnxModel model = OnnxModel.load(onnx, 1)) {
            Prediction p = model.predict(test.x(), test.rows());
            m = Metrics.of(test.y(), p.probabilities(), test.classes());
        }
        RoundResult bestResult = Json.get(store, Keys.roundResult(t.runId(), r.bestRound()), RoundResult.class)
                .orElseThrow();
        ModelEvaluated e = new ModelEvaluated(t.runId(), plan.modelName(), r.round(), r.bestRound(), modelRef, r.best(),
                t.plan(), m, bestResult.validationAccuracy(), r.elapsedMillis());
        return Json.putIfAbsent(store, Keys.evaluated(t.runId()), e, ModelEvaluated.class);
    }
}
