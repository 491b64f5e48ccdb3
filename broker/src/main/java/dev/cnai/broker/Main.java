package dev.cnai.broker;

import dev.cnai.broker.deadletter.DeadLetterMain;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Command line of the local broker: {@code serve}, {@code sink}, {@code send} and {@code watch}, each a picocli
 * {@link Command} class. Run without arguments, or with {@code --help}, for the generated usage.
 */
@Command(name = "cnai-local-broker", mixinStandardHelpOptions = true, version = "cnai-local-broker",
        synopsisSubcommandLabel = "<command>",
        header = "Local stand-in for the Knative Broker (development only).",
        description = "Run `<command> --help` for a command's options.",
        footer = {"", "Usage: java -jar cnai-local-broker.jar <command> [options]"})
public final class Main implements Callable<Integer> {

    /** Exit status when arguments are wrong. */
    public static final int EXIT_USAGE = CommandSetup.EXIT_USAGE;
    /** Exit status of {@code watch} when a {@code dev.cnai.pipeline.failed} event arrives. */
    public static final int EXIT_PIPELINE_FAILED = 3;
    /** Exit status of {@code watch} when the timeout passes first. */
    public static final int EXIT_TIMEOUT = 4;

    /** The pipeline failure event type (same value as {@code dev.cnai.events.EventTypes.PIPELINE_FAILED}). */
    public static final String PIPELINE_FAILED = "dev.cnai.pipeline.failed";

    @Spec
    private CommandSpec spec;

    private Main() {
    }

    /** No command given: the usage, and {@link #EXIT_USAGE}. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return EXIT_USAGE;
    }

    /** Entry point. */
    public static void main(String[] args) {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        int code = run(args, out, err);
        if (code != 0 || !(args.length > 0 && (args[0].equals("serve") || args[0].equals("sink")))) {
            System.exit(code);
        }
    }

    /** Runs one command and returns its exit status ({@code serve} returns only after shutdown). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, System::getenv);
    }

    /** Like {@link #run(String[], PrintStream, PrintStream)}, reading environment variables from {@code env}. */
    static int run(String[] args, PrintStream out, PrintStream err, UnaryOperator<String> env) {
        CommandLine cl = commandLine(out, err, env);
        if (args.length == 0) {
            cl.usage(out);
            return EXIT_USAGE;
        }
        return cl.execute(args);
    }

    /** The command tree, writing to {@code out} and {@code err}. */
    static CommandLine commandLine(PrintStream out, PrintStream err, UnaryOperator<String> env) {
        CommandLine cl = new CommandLine(new Main());
        cl.addSubcommand("help", new CommandLine.HelpCommand());
        cl.addSubcommand("serve", new ServeCommand(out, env));
        cl.addSubcommand("sink", new DeadLetterMain.Sink(out));
        cl.addSubcommand("send", new SendCommand(out, err));
        cl.addSubcommand("watch", new WatchCommand(out, err));
        return configure(cl, out, err);
    }

    /** {@link CommandSetup#configure}: the settings every broker command line shares. */
    public static CommandLine configure(CommandLine cl, PrintStream out, PrintStream err) {
        return CommandSetup.configure(cl, out, err);
    }

    /**
     * The fault spec: {@code --faults} when given, else the {@code CNAI_BROKER_FAULTS} environment variable, else
     * none.
     *
     * @throws UsageException when the spec is invalid, naming where it came from
     */
    static Faults faults(String option, String env) {
        String spec = option != null ? option : env;
        try {
            return Faults.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new UsageException((option != null ? "--faults: " : Faults.ENV + ": ") + e.getMessage());
        }
    }
}
