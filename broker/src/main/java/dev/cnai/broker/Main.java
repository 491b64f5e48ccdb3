package dev.cnai.broker;

import dev.cnai.broker.deadletter.DeadLetterMain;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
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
    public static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;
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

    /**
     * Shared settings: {@code @file} arguments are not expanded ({@code --data @file.json} is the command's own),
     * durations are ISO-8601, integers may carry spaces, a usage error prints {@code error: <what>} and the
     * command's usage and exits {@link #EXIT_USAGE}, any other failure prints {@code error: <why>} and exits 1.
     */
    public static CommandLine configure(CommandLine cl, PrintStream out, PrintStream err) {
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.setExpandAtFiles(false);
        cl.registerConverter(Duration.class, Main::duration);
        cl.registerConverter(Integer.class, s -> Integer.parseInt(s.trim()));
        cl.registerConverter(Integer.TYPE, s -> Integer.parseInt(s.trim()));
        cl.setParameterExceptionHandler((e, args) -> {
            err.println("error: " + e.getMessage());
            if (e instanceof CommandLine.UnmatchedArgumentException u) {
                CommandLine.UnmatchedArgumentException.printSuggestions(u, err);
            }
            err.println();
            e.getCommandLine().usage(err);
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((e, c, parsed) -> {
            if (e instanceof UsageException) {
                return usageError(c, e.getMessage(), err);
            }
            if (e instanceof IOException || e instanceof RuntimeException) {
                err.println("error: " + Events.rootMessage(e));
                return 1;
            }
            throw e;
        });
        return cl;
    }

    private static int usageError(CommandLine c, String message, PrintStream err) {
        err.println("error: " + message);
        err.println();
        c.usage(err);
        err.flush();
        return EXIT_USAGE;
    }

    private static Duration duration(String s) {
        try {
            return Duration.parse(s.trim());
        } catch (DateTimeParseException e) {
            throw new CommandLine.TypeConversionException("must be an ISO-8601 duration like PT60S, got '" + s + "'");
        }
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

    /** Wrong command-line arguments (exit {@link #EXIT_USAGE}). */
    public static final class UsageException extends RuntimeException {
        /** A message a person can act on. */
        public UsageException(String message) {
            super(message);
        }
    }
}
