package dev.cnai.pipeline;

import dev.cnai.data.Dataset;
import dev.cnai.data.ShardCodec;
import dev.cnai.events.Decision;
import dev.cnai.events.EventCodec;
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
import dev.cnai.events.ClassificationMetrics;
import dev.cnai.training.FedAvg;
import dev.cnai.training.Metrics;
import dev.cnai.training.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;

/**
 * evaluate: the fan-in. Each {@code shard.trained} is recorded once under (run, round, shard); when
 * every shard of the round has reported, the updates are averaged (FedAvg, weighted by samples),
 * scored on the validation split, and the round is decided: next round, early stop, or done (then
 * the best round's weights are exported to ONNX and scored on the test split with ONNX Runtime).
 *
 * <p>Exactly one report decides a round: the delivery that finds every report recorded claims the round result
 * with a create-if-absent write, and the result names that report's shard ({@link RoundResult#decidedBy()}).
 * Only deliveries of that report emit the round's outcome, and only until the emission is confirmed
 * ({@link Outbox}): a duplicate of any other report, a late report, or a redelivery after the outcome went out
 * emits nothing, so a duplicate never multiplies through the next round's fan-out. A crash after the claim and
 * before the confirmation is recovered by the redelivery of the deciding report, which emits then.
 */
public final class EvaluateStep {

    /**
     * The stored outcome of a round.
     *
     * @param decidedBy     the shard whose report completed the fan-in: only its deliveries emit the outcome
     * @param trainAccuracy accuracy of the averaged model on a fixed sample of training rows as large as the
     *                      validation split (see {@link #trainSample}); null in results recorded before it existed
     */
    public record RoundResult(int round, int rounds, double trainLoss, double validationLoss, double validationAccuracy,
            Decision decision, int bestRound, ArtifactRef averaged, ArtifactRef best, long elapsedMillis, int decidedBy,
            Double trainAccuracy) {
    }

    private final ObjectStore store;
    private final Outbox outbox;
    private final KeyedLocks locks = new KeyedLocks();

    public EvaluateStep(ObjectStore store) {
        this.store = store;
        this.outbox = new Outbox(store);
    }

    /** {@link #handle(ShardTrained, EventSender)} for in-process drivers: the returned events count as sent. */
    public List<OutgoingEvent> handle(ShardTrained t) {
        return handle(t, EventSender.RETURNED);
    }

    /**
     * Records the report and, when it completes the round (or is a redelivery of the report that did, whose emission
     * is unconfirmed), decides the round and sends its events through {@code sender}.
     *
     * @return the events sent (empty for every other delivery)
     */
    public List<OutgoingEvent> handle(ShardTrained t, EventSender sender) {
        store.putIfAbsent(Keys.report(t.runId(), t.round(), t.shard()), EventCodec.encode(t));
        try (KeyedLocks.Held held = locks.lock(t.runId() + "/" + t.round())) {
            String key = Keys.roundResult(t.runId(), t.round());
            RunPlan plan = null;
            RoundResult result = Json.get(store, key, RoundResult.class).orElse(null);
            if (result == null) {
                List<ShardTrained> reports = reports(t);
                if (reports.size() < t.shardCount()) {
                    return List.of();
                }
                plan = Json.read(store, t.plan(), RunPlan.class);
                // first writer wins; a replica racing on the same store may have claimed it for another shard
                result = Json.putIfAbsent(store, key, aggregate(plan, t, reports), RoundResult.class);
            }
            String emission = "evaluate-round-" + t.round();
            if (result.decidedBy() != t.shard() || outbox.confirmed(t.runId(), emission)) {
                return List.of();
            }
            plan = plan != null ? plan : Json.read(store, t.plan(), RunPlan.class);
            return outbox.send(t.runId(), emission, events(plan, t, result), sender);
        }
    }

    /** Rounds being handled right now (for tests: the lock table does not grow with runs). */
    int activeRounds() {
        return locks.size();
    }

    /**
     * The round's reports in shard order, or fewer than the shard count while one is missing. Each is read by its own
     * key rather than found by listing the prefix: a listing may show what is not an object yet (S3Proxy's file
     * backend lists in-flight uploads) or, on an eventually consistent S3-compatible server, miss what is.
     */
    private List<ShardTrained> reports(ShardTrained t) {
        List<ShardTrained> out = new ArrayList<>();
        for (int shard = 0; shard < t.shardCount(); shard++) {
            Optional<ShardTrained> r = Json.get(store, Keys.report(t.runId(), t.round(), shard), ShardTrained.class);
            if (r.isEmpty()) {
                return out;
            }
            out.add(r.get());
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
        Dataset trainSample = trainSample(plan, val.rows());
        // scored with what would be served: the averaged weights exported to ONNX and run on ONNX Runtime (the same
        // path as the test split in finish), for every family
        ClassificationMetrics m;
        ClassificationMetrics train;
        byte[] onnx = OnnxExporter.export(plan.model(), avg, plan.stats(), plan.features(), plan.classes(), null);
        try (OnnxModel model = OnnxModel.load(onnx, 1)) {
            m = Metrics.of(val.y(), model.predict(val.x(), val.rows()).probabilities(), val.classes());
            train = Metrics.of(trainSample.y(), model.predict(trainSample.x(), trainSample.rows()).probabilities(),
                    trainSample.classes());
        }

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
        Decision decision;
        if (t.round() >= rounds) {
            decision = Decision.DONE;
        } else if (t.round() - bestRound >= plan.training().patience()) {
            decision = Decision.EARLY_STOP;
        } else {
            decision = Decision.CONTINUE;
        }
        long elapsed = System.currentTimeMillis() - plan.createdAtMillis();
        return new RoundResult(t.round(), rounds, lossSum / samples, m.loss(), m.accuracy(), decision, bestRound, avgRef,
                best, elapsed, t.shard(), train.accuracy());
    }

    /**
     * The training rows a round's train accuracy is scored on: from each shard its first rows, in proportion to its
     * size, as many in all as the validation split has (at least one per shard), so that scoring them costs what
     * scoring validation costs. The shards are stratified and shuffled by preprocess, so their first rows are a fair
     * sample; the same rows every round, so rounds compare.
     */
    private Dataset trainSample(RunPlan plan, int size) {
        int total = Math.max(1, plan.shards().stream().mapToInt(s -> s.rows()).sum());
        int features = plan.features();
        List<float[]> xs = new ArrayList<>();
        List<int[]> ys = new ArrayList<>();
        int rows = 0;
        for (var s : plan.shards()) {
            Dataset d = ShardCodec.decode(store.read(s.data()));
            int take = Math.min(d.rows(), Math.max(1, (int) Math.round((double) size * s.rows() / total)));
            xs.add(java.util.Arrays.copyOf(d.x(), take * features));
            ys.add(java.util.Arrays.copyOf(d.y(), take));
            rows += take;
        }
        float[] x = new float[rows * features];
        int[] y = new int[rows];
        int at = 0;
        for (int i = 0; i < xs.size(); i++) {
            System.arraycopy(xs.get(i), 0, x, at * features, xs.get(i).length);
            System.arraycopy(ys.get(i), 0, y, at, ys.get(i).length);
            at += ys.get(i).length;
        }
        return new Dataset(features, plan.classes(), x, y);
    }

    private List<OutgoingEvent> events(RunPlan plan, ShardTrained t, RoundResult r) {
        List<OutgoingEvent> out = new ArrayList<>();
        RoundCompleted rc = new RoundCompleted(t.runId(), r.round(), r.rounds(), r.trainLoss(), r.validationLoss(),
                r.validationAccuracy(), r.decision(), r.elapsedMillis(), r.averaged());
        out.add(OutgoingEvent.of(EventTypes.ROUND_COMPLETED, rc, "round-" + r.round()));
        if (r.decision() == Decision.CONTINUE) {
            int next = r.round() + 1;
            ArtifactRef global = store.putIfAbsent(Keys.globalWeights(t.runId(), next), store.read(r.averaged())).ref();
            for (var s : plan.shards()) {
                ShardAssigned a = new ShardAssigned(t.runId(), next, s.index(), plan.shards().size(), s.rows(), s.data(),
                        global, t.plan());
                out.add(OutgoingEvent.of(EventTypes.SHARD_ASSIGNED, a, "round-" + next, "shard-" + s.index()));
            }
        } else {
            ModelEvaluated e = Json.get(store, Keys.evaluated(t.runId()), ModelEvaluated.class)
                    .orElseGet(() -> finish(plan, t, r));
            out.add(OutgoingEvent.of(EventTypes.MODEL_EVALUATED, e));
        }
        return out;
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
