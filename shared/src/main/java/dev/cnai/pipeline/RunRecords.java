package dev.cnai.pipeline;

import dev.cnai.energy.EnergyLedger;
import dev.cnai.energy.StepEnergy;
import dev.cnai.events.DatasetPrepared;
import dev.cnai.events.ModelEvaluated;
import dev.cnai.events.ShardTrained;
import dev.cnai.storage.ObjectStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Read-only view of what a run left in the object store, for reports: each record is read by its deterministic key
 * and is empty when that step has not written it (yet, or ever).
 */
public final class RunRecords {
    private final ObjectStore store;
    private final String runId;

    public RunRecords(ObjectStore store, String runId) {
        this.store = store;
        this.runId = runId;
    }

    public String runId() {
        return runId;
    }

    public Optional<RunPlan> plan() {
        return Json.get(store, Keys.plan(runId), RunPlan.class);
    }

    public Optional<DatasetPrepared> prepared() {
        return Json.get(store, Keys.prepared(runId), DatasetPrepared.class);
    }

    /** Round results in round order, up to the first round without one. */
    public List<EvaluateStep.RoundResult> rounds() {
        List<EvaluateStep.RoundResult> out = new ArrayList<>();
        for (int r = 1; ; r++) {
            Optional<EvaluateStep.RoundResult> res = Json.get(store, Keys.roundResult(runId, r),
                    EvaluateStep.RoundResult.class);
            if (res.isEmpty()) {
                return out;
            }
            out.add(res.get());
        }
    }

    /** The shard reports evaluate recorded for a round, in shard order (those present). */
    public List<ShardTrained> reports(int round, int shards) {
        List<ShardTrained> out = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            Json.get(store, Keys.report(runId, round, s), ShardTrained.class).ifPresent(out::add);
        }
        return out;
    }

    public Optional<ModelEvaluated> evaluated() {
        return Json.get(store, Keys.evaluated(runId), ModelEvaluated.class);
    }

    public Optional<RegisterStep.Registration> registration() {
        return Json.get(store, Keys.registration(runId), RegisterStep.Registration.class);
    }

    /** Energy and time of every handled event of the run (empty when none was recorded). */
    public List<StepEnergy> energy() {
        return new EnergyLedger(store).list(runId);
    }
}
