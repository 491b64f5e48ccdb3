package dev.cnai.cli.models;

import dev.cnai.registry.ModelAnnotations;
import dev.cnai.registry.ModelVersion;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code cnai models inspect REF}: one version's digests, aliases, lineage, hyper-parameters and metrics. */
@Command(name = "inspect", usageHelpAutoWidth = false,
        description = "One version or alias: digests, lineage, hyper-parameters, metrics.")
final class InspectCommand extends ModelsCommand.Verb {
    @Parameters(paramLabel = "REF", description = "a version (v3) or an alias (production)")
    String ref;

    @Override
    void run(ModelsCommand.Context c) {
        ModelVersion v = Views.resolve(c, ref);
        Map<String, String> a = v.annotations();
        c.out().println("reference       " + c.registry().reference(c.name(), v.version()));
        c.out().println("version         " + v.version());
        c.out().println("aliases         " + (v.aliases().isEmpty() ? "-" : String.join(", ", v.aliases())));
        c.out().println("manifest        " + v.manifestDigest());
        c.out().println("model.onnx      " + v.modelDigest() + " (" + v.modelSize() + " bytes)");
        c.out().println("run             " + Views.or(v.runId()));
        c.out().println("parent          " + Views.or(a.get(ModelAnnotations.PARENT_VERSION)));
        c.out().println("dataset         " + Views.or(a.get(ModelAnnotations.DATASET_DIGEST)));
        c.out().println("test split      " + Views.or(a.get(ModelAnnotations.TEST_DIGEST)));
        c.out().println("created         " + Views.or(a.get(ModelAnnotations.OCI_CREATED)));
        c.out().println("hyper-parameters");
        Views.json(a.get(ModelAnnotations.HYPERPARAMETERS)).forEach((k, val) -> c.out().printf("  %-18s %s%n", k, val));
        c.out().println("metrics");
        Views.metrics(v).forEach((k, val) -> c.out().printf("  %-18s %s%n", k, val));
        c.registry().rejections(c.name()).stream().filter(r -> r.runId().equals(v.runId())).findFirst()
                .ifPresent(r -> c.out().println("rejected        " + r.reason()));
    }
}
