package dev.cnai.cli;

import dev.cnai.cli.command.HelpOption;
import dev.cnai.cli.command.CommandLines;
import dev.cnai.cli.models.ModelsCommand;
import io.fabric8.knative.client.KnativeClient;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cnai}: {@code local} (the pipeline on one machine), {@code models} (manage model versions), {@code soak}
 * (a leak check) and {@code report} (a run's HTML report). Each command is a class; {@code cnai COMMAND --help} prints its options.
 */
@Command(name = "cnai", usageHelpAutoWidth = false,
        description = "The CNAI pipeline on one machine, its model registry, a soak test, and run reports.",
        footer = "%nRun 'cnai COMMAND --help' for a command's options.")
public final class Cnai implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    private Cnai() {
    }

    public static void main(String[] args) {
        System.exit(CommandLines.execute(commandLine(System.out, System.err, ModelsCommand.KUBE_CONFIG), args));
    }

    /** No command: the usage, on stderr, and the usage exit status. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CommandLines.USAGE;
    }

    /** The whole {@code cnai} command line; help goes to {@code out}, usage errors to {@code err}. */
    static CommandLine commandLine(PrintStream out, PrintStream err, Supplier<KnativeClient> knative) {
        CommandLine cl = new CommandLine(new Cnai());
        cl.addSubcommand(new LocalCommand(out));
        cl.addSubcommand(new CommandLine(new ModelsCommand(out, err, knative)));
        cl.addSubcommand(new Soak(out));
        cl.addSubcommand(new ReportCommand(out));
        return CommandLines.configure(cl, out, err);
    }

    /** {@code cnai local ARGS}, printing to {@code out} (usage errors to stderr); returns the exit status. */
    static int local(String[] args, PrintStream out) {
        return CommandLines.execute(commandLine(out, System.err, ModelsCommand.KUBE_CONFIG), prepend("local", args));
    }

    /** The options of {@code cnai local ARGS}, without running it; a usage error is an IllegalArgumentException. */
    static LocalCommand parse(String... args) {
        return parse(LocalCommand.class, "local", args);
    }

    /** The command object of {@code cnai COMMAND ARGS}, parsed but not run. */
    static <T> T parse(Class<T> type, String command, String... args) {
        CommandLine cl = commandLine(System.out, System.err, ModelsCommand.KUBE_CONFIG);
        CommandLines.parse(cl, prepend(command, args));
        return type.cast(cl.getSubcommands().get(command).getCommand());
    }

    private static String[] prepend(String first, String[] rest) {
        return Stream.concat(Stream.of(first), Stream.of(rest)).toArray(String[]::new);
    }
}
