package dev.cnai.cli.models;

import dev.cnai.errors.CnaiException;
import dev.cnai.registry.ModelCopy;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.Registries;
import dev.cnai.registry.RegistryMirror;
import java.io.PrintStream;
import java.util.List;
import java.util.function.ToIntFunction;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code cnai models copy --from REG --to REG (--model NAME | --all)}: mirrors models between two registries with
 * {@link RegistryMirror} (backups and disaster recovery). Prints one line per model and a summary; a refused
 * model (diverged version, tampered content, …) goes to stderr and makes the exit status 1, the others are still
 * copied.
 */
@Command(name = "copy", usageHelpAutoWidth = false,
        description = {"Copy one model (--model) or all models (--all) from one registry to another, every tag "
                + "(versions, aliases, rejection records, signatures) with its manifest and blobs, byte for byte, "
                + "each blob checked against its digest. What the target has is skipped, so running it again copies "
                + "nothing. A version the target has at another digest is refused (CONFLICT, nothing changed for "
                + "that model); an alias that differs is moved to the source's version.",
            "Both ends take remote credentials from the same configuration: CNAI_REGISTRY_USERNAME/"
                + "CNAI_REGISTRY_PASSWORD (used for both), or CNAI_REGISTRY_AUTH_FILE (a docker config.json with an "
                + "entry per registry host)."})
final class CopyCommand extends ModelsCommand.Subcommand implements Callable<Integer> {
    @Option(names = "--from", required = true, paramLabel = "REG", description = "the source registry: "
            + "oci-layout:PATH (or a path), oci://host[:port]/ns, oci+http://…")
    String from;

    @Option(names = "--to", required = true, paramLabel = "REG", description = "the target registry (same forms; "
            + "a layout directory is created on first copy)")
    String to;

    @Option(names = "--model", paramLabel = "NAME", description = "the model to copy")
    String model;

    @Option(names = "--all", description = "copy every model of the source")
    boolean all;

    @Override
    public Integer call() {
        String name = model != null ? model : models.registry.model;
        if (models.registry.location != null) {
            throw new ParameterException(spec.commandLine(), "copy takes --from and --to, not --registry");
        }
        if ((name == null) == !all) {
            throw new ParameterException(spec.commandLine(), "copy needs exactly one of --model NAME or --all"
                    + (all ? ", not both" : ""));
        }
        PrintStream out = models.out();
        try {
            ModelRegistry source = Registries.open(from);
            ModelRegistry target = Registries.open(to);
            List<ModelCopy> copies = all ? RegistryMirror.copyAll(source, target)
                    : List.of(RegistryMirror.copy(source, target, name));
            copies.forEach(c -> print(c, out));
            List<ModelCopy> done = copies.stream().filter(c -> !c.isRefused()).toList();
            long refused = copies.size() - done.size();
            out.println("copied " + done.size() + " model" + (done.size() == 1 ? "" : "s") + " from " + source
                    + " to " + target + ": " + sum(done, ModelCopy::tagsCopied) + " tags copied, "
                    + sum(done, ModelCopy::tagsPresent) + " already present, " + sum(done, ModelCopy::blobsCopied)
                    + " blobs copied, " + sum(done, ModelCopy::blobsSkipped) + " skipped, "
                    + done.stream().mapToLong(ModelCopy::bytesCopied).sum() + " bytes"
                    + (refused == 0 ? "" : "; " + refused + " refused"));
            return refused == 0 ? 0 : 1;
        } catch (CnaiException e) {
            models.err().println("cnai models copy: " + e.kind() + ": " + e.getMessage());
            return 1;
        }
    }

    private void print(ModelCopy c, PrintStream out) {
        if (c.isRefused()) {
            models.err().println("cnai models copy: " + c.name() + ": " + c.refusal().kind() + ": "
                    + c.refusal().getMessage());
            return;
        }
        out.println(c.name() + ": " + (c.isNoOp() ? "up to date, " : "") + c.tagsCopied() + " tags copied, "
                + c.tagsPresent() + " already present, " + c.blobsCopied() + " blobs copied, " + c.blobsSkipped()
                + " skipped, " + c.bytesCopied() + " bytes"
                + (c.moved().isEmpty() ? "" : "; moved " + String.join(", ", c.moved())));
    }

    private static int sum(List<ModelCopy> copies, ToIntFunction<ModelCopy> count) {
        return copies.stream().mapToInt(count).sum();
    }
}
