package dev.cnai.cli.models;

import dev.cnai.registry.ModelAnnotations;
import dev.cnai.registry.ModelRejection;
import dev.cnai.registry.ModelVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;

/** {@code cnai models list}: versions, aliases, metrics, lineage; rejected runs with their reason. */
@Command(name = "list", usageHelpAutoWidth = false,
        description = "Versions with aliases, metrics and lineage; rejected runs with the reason.")
final class ListCommand extends ModelsCommand.Verb {
    @Override
    void run(ModelsCommand.Context c) {
        List<ModelVersion> versions = c.registry().list(c.name());
        List<ModelRejection> rejections = c.registry().rejections(c.name());
        Map<String, ModelRejection> rejectedRuns = rejections.stream()
                .collect(Collectors.toMap(ModelRejection::runId, Function.identity(), (a, b) -> a));
        c.out().println("model " + c.name() + " in " + c.registry());
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("VERSION", "ALIASES", "ACCURACY", "RUN", "PARENT", "DATASET", "CREATED", "STATUS"));
        for (ModelVersion v : versions) {
            ModelRejection r = rejectedRuns.get(v.runId());
            rows.add(List.of(v.version(), v.aliases().isEmpty() ? "-" : String.join(",", v.aliases()),
                    Views.or(Views.metrics(v).get("accuracy")), Views.or(v.runId()),
                    Views.or(v.annotations().get(ModelAnnotations.PARENT_VERSION)),
                    Views.shortDigest(v.annotations().get(ModelAnnotations.DATASET_DIGEST)),
                    Views.or(v.annotations().get(ModelAnnotations.OCI_CREATED)),
                    r == null ? "ok" : "rejected: " + r.reason()));
        }
        if (versions.isEmpty()) {
            c.out().println("no versions");
        } else {
            Views.table(c.out(), rows);
        }
        List<ModelRejection> unversioned = rejections.stream()
                .filter(r -> versions.stream().noneMatch(v -> r.runId().equals(v.runId()))).toList();
        if (!unversioned.isEmpty()) {
            c.out().println();
            c.out().println("rejected runs (no version):");
            List<List<String>> rej = new ArrayList<>();
            rej.add(List.of("RUN", "ACCURACY", "CREATED", "REASON"));
            for (ModelRejection r : unversioned) {
                Double acc = r.metrics().get("accuracy");
                rej.add(List.of(r.runId(), acc == null ? "-" : Views.number(acc), Views.or(r.createdAt()),
                        r.reason()));
            }
            Views.table(c.out(), rej);
        }
    }
}
