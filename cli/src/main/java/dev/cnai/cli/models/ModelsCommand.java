package dev.cnai.cli.models;

import dev.cnai.cli.command.HelpOption;
import dev.cnai.cli.command.CommandLines;
import dev.cnai.errors.CnaiException;
import dev.cnai.errors.ErrorKind;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.Registries;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code cnai models VERB [ARGS] [--registry LOCATION] [--model NAME]}: list, inspect, compare, promote, rollback
 * and delete model versions in any registry {@link Registries#open(String)} accepts (remote credentials from
 * {@code CNAI_REGISTRY_USERNAME}/{@code CNAI_REGISTRY_PASSWORD} or {@code CNAI_REGISTRY_AUTH_FILE}), and copy
 * models from one registry to another ({@link CopyCommand}). One {@link Verb} class per verb (copy, which opens
 * two registries, is its own). Exit status: 0 done, 1 refused (the reason on stderr), 2 usage.
 */
@Command(name = "models", usageHelpAutoWidth = false,
        description = "Manage model versions in a registry: list, inspect, compare, promote, rollback, delete; "
                + "copy models between registries (backup and restore).",
        subcommands = {ListCommand.class, InspectCommand.class, CompareCommand.class, PromoteCommand.class,
            RollbackCommand.class, DeleteCommand.class, CopyCommand.class},
        footer = {"%nThe registry options may also follow the verb. Remote registries take credentials from "
            + "CNAI_REGISTRY_USERNAME/CNAI_REGISTRY_PASSWORD or CNAI_REGISTRY_AUTH_FILE.",
            "Exit status: 0 done, 1 refused (the reason on stderr), 2 usage."})
public final class ModelsCommand implements Callable<Integer> {
    /** Knative access with the kube config of the environment. */
    public static final Supplier<KnativeClient> KUBE_CONFIG =
            () -> new KubernetesClientBuilder().build().adapt(KnativeClient.class);

    private final PrintStream out;
    private final PrintStream err;
    private final Supplier<KnativeClient> knative;

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    /** {@code --registry}/{@code --model} before the verb. */
    @Mixin
    RegistryOptions registry;

    /** Prints results to {@code out} and refusals to {@code err}; {@code knative} is opened for --knative. */
    public ModelsCommand(PrintStream out, PrintStream err, Supplier<KnativeClient> knative) {
        this.out = out;
        this.err = err;
        this.knative = knative;
    }

    /** Runs a models command; returns the exit status. Knative access uses the kube config of the environment. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, KUBE_CONFIG);
    }

    /** Runs a models command with a given Knative client (tests pass a mock server's). */
    public static int run(String[] args, PrintStream out, PrintStream err, Supplier<KnativeClient> knative) {
        CommandLine cl = CommandLines.configure(new CommandLine(new ModelsCommand(out, err, knative)), out, err);
        cl.setCommandName("cnai models");
        return CommandLines.execute(cl, args);
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    /** No verb: the usage, on stderr. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CommandLines.USAGE;
    }

    /** {@code --registry LOCATION} and {@code --model NAME}, before or after the verb. */
    static final class RegistryOptions {
        @Option(names = "--registry", paramLabel = "LOCATION", description = ".cnai/registry (default), "
                + "oci-layout:PATH, oci://host[:port]/ns, oci+http://…")
        String location;

        @Option(names = "--model", paramLabel = "NAME", description = "model name (default: the only model in the "
                + "registry)")
        String model;
    }

    /** What a verb gets. */
    record Context(ModelRegistry registry, String name, PrintStream out) {
    }

    /** What every verb has: the parent command (its streams and options), its own spec and {@code --help}. */
    abstract static class Subcommand {
        @ParentCommand
        ModelsCommand models;

        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;
    }

    /** One verb on one registry: opens the registry, runs, and turns a refusal into exit status 1. */
    abstract static class Verb extends Subcommand implements Callable<Integer> {
        @Mixin
        RegistryOptions registry;

        abstract void run(Context c);

        /** The Knative client, opened on first use. */
        Supplier<KnativeClient> knative() {
            return models.knative;
        }

        @Override
        public final Integer call() {
            try {
                String location = first(registry.location, models.registry.location, ".cnai/registry");
                ModelRegistry r = Registries.open(location);
                String model = first(registry.model, models.registry.model, null);
                run(new Context(r, model != null ? model : onlyModel(r), models.out));
                return 0;
            } catch (CnaiException e) {
                models.err.println("cnai models " + spec.name() + ": " + e.kind() + ": " + e.getMessage());
                return 1;
            }
        }

        private static String first(String verb, String models, String otherwise) {
            return verb != null ? verb : models != null ? models : otherwise;
        }
    }

    private static String onlyModel(ModelRegistry registry) {
        List<String> names = registry.names();
        if (names.size() == 1) {
            return names.get(0);
        }
        throw new CnaiException(ErrorKind.INVALID_INPUT, names.isEmpty()
                ? "no models in " + registry + "; name one with --model or point --registry elsewhere"
                : "several models in " + registry + " (" + String.join(", ", names) + "); choose one with --model");
    }
}
