package dev.cnai.cli.report;

import dev.cnai.energy.StepEnergy;
import dev.cnai.errors.CnaiException;
import dev.cnai.events.ModelEvaluated;
import dev.cnai.events.ShardTrained;
import dev.cnai.pipeline.EvaluateStep.RoundResult;
import dev.cnai.pipeline.RegisterStep.Registration;
import dev.cnai.pipeline.RunPlan;
import dev.cnai.pipeline.RunRecords;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.ModelVersion;
import dev.cnai.storage.ObjectStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the report shows about one run, as recorded: each part is empty when the run did not record it (an
 * older run, a run still going, a step that failed), and the page then says "not recorded" for that section.
 *
 * @param shardReports the shards' reports per round (training loss, samples)
 * @param version      the registered version as the registry knows it (lineage annotations), when reachable
 * @param registryNote why {@code version} is empty, when it is
 */
public record RunReport(String runId, Optional<RunPlan> plan, List<RoundResult> rounds,
        Map<Integer, List<ShardTrained>> shardReports, Optional<ModelEvaluated> evaluated,
        Optional<Registration> registration, Optional<ModelVersion> version, String registryNote,
        List<StepEnergy> energy) {

    /** Reads the run's records from {@code store}; {@code registry} (may be null) adds the version's lineage. */
    public static RunReport load(ObjectStore store, String runId, ModelRegistry registry) {
        RunRecords records = new RunRecords(store, runId);
        Optional<RunPlan> plan = records.plan();
        List<RoundResult> rounds = records.rounds();
        Map<Integer, List<ShardTrained>> reports = new LinkedHashMap<>();
        int shards = plan.map(p -> p.shards().size()).orElse(0);
        for (RoundResult r : rounds) {
            reports.put(r.round(), records.reports(r.round(), shards));
        }
        Optional<Registration> registration = records.registration();
        Optional<ModelVersion> version = Optional.empty();
        String note = null;
        if (registry == null) {
            note = "no registry given";
        } else if (registration.isEmpty() || !registration.get().accepted()) {
            note = "no version was registered";
        } else {
            try {
                version = registry.findByRun(registration.get().modelName(), runId);
                if (version.isEmpty()) {
                    note = "the registry " + registry + " has no version of " + registration.get().modelName()
                            + " for this run";
                }
            } catch (CnaiException e) {
                note = "registry not readable: " + e.getMessage();
            }
        }
        return new RunReport(runId, plan, rounds, reports, records.evaluated(), registration, version, note,
                records.energy());
    }

    /** Nothing at all was recorded under this run id. */
    public boolean isEmpty() {
        return plan.isEmpty() && rounds.isEmpty() && evaluated.isEmpty() && registration.isEmpty() && energy.isEmpty();
    }
}
