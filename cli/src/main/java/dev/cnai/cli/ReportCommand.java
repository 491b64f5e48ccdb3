package dev.cnai.cli;

import dev.cnai.cli.command.CommandLines;
import dev.cnai.cli.command.HelpOption;
import dev.cnai.cli.report.ReportWriter;
import dev.cnai.cli.report.RunReport;
import dev.cnai.errors.CnaiException;
import dev.cnai.storage.ObjectStore;
import dev.cnai.storage.ObjectStores;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cnai report RUN}: one self-contained HTML page about a run, from what it left in the store. */
@Command(name = "report", sortOptions = false, usageHelpAutoWidth = false,
        description = "Writes one self-contained HTML page about a run (loss and accuracy per round, shard spread, "
                + "confusion matrix, per-class precision/recall, time and energy per step, lineage) from its "
                + "records in the object store.",
        footer = "%nExit status: 0 written, 1 nothing recorded for the run or the store unreadable, 2 usage.")
final class ReportCommand implements Callable<Integer> {
    private final PrintStream out;

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Parameters(index = "0", paramLabel = "RUN", description = "the run id")
    String runId;

    @Option(names = "--home", paramLabel = "DIR", defaultValue = ".cnai",
            description = "state directory, as for cnai local (default ${DEFAULT-VALUE})")
    String home;

    @Option(names = "--store", paramLabel = "URI", description = "the object store (default $CNAI_STORE, else "
            + "<home>/store)")
    String store;

    @Option(names = "--registry", paramLabel = "LOCATION", description = "registry for the version's lineage "
            + "(default <home>/registry)")
    String registry;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "the page (default <home>/reports/RUN.html)")
    Path output;

    ReportCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        Path homeDir = Path.of(home).toAbsolutePath().normalize();
        String storeRoot = store != null ? store
                : System.getenv("CNAI_STORE") != null ? System.getenv("CNAI_STORE") : homeDir.resolve("store").toString();
        String registryLocation = registry != null ? registry : homeDir.resolve("registry").toString();
        Path target = output != null ? output : ReportWriter.defaultPath(homeDir, runId);
        try {
            ObjectStore objects = ObjectStores.open(storeRoot);
            RunReport r = ReportWriter.write(objects, registryLocation, runId, target);
            if (r.isEmpty()) {
                spec.commandLine().getErr().println("cnai report: nothing is recorded for run " + runId + " in "
                        + storeRoot + " (page written anyway: " + target + ")");
                return 1;
            }
        } catch (CnaiException e) {
            spec.commandLine().getErr().println("cnai report: " + e.kind() + ": " + e.getMessage());
            return 1;
        }
        out.println("report: " + target.toAbsolutePath().toUri());
        return 0;
    }
}
