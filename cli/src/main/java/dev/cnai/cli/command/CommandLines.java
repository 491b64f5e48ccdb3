package dev.cnai.cli.command;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * How every {@code cnai} command line is set up: {@code --name VALUE} options (a repeated option: the last one
 * wins), number and duration values checked while parsing, and usage errors answered with one line a person can act
 * on and exit status {@link #USAGE}, never a stack trace.
 */
public final class CommandLines {
    /** Exit status of a usage error (unknown option, missing or malformed value). */
    public static final int USAGE = 2;

    private CommandLines() {
    }

    /** Configures {@code cl} and the subcommands it has now; help goes to {@code out}, errors to {@code err}. */
    public static CommandLine configure(CommandLine cl, PrintStream out, PrintStream err) {
        cl.setOut(writer(out));
        cl.setErr(writer(err));
        cl.setSeparator(" ");
        cl.setOverwrittenOptionsAllowed(true);
        cl.setUsageHelpAutoWidth(false);
        cl.setUsageHelpWidth(100);
        cl.setParameterExceptionHandler(CommandLines::usageError);
        cl.registerConverter(Integer.class, v -> convert(v, Integer::valueOf, "needs a whole number"));
        cl.registerConverter(Integer.TYPE, v -> convert(v, Integer::valueOf, "needs a whole number"));
        cl.registerConverter(Long.class, v -> convert(v, Long::valueOf, "needs a whole number"));
        cl.registerConverter(Long.TYPE, v -> convert(v, Long::valueOf, "needs a whole number"));
        cl.registerConverter(Double.class, v -> convert(v, Double::valueOf, "needs a number"));
        cl.registerConverter(Double.TYPE, v -> convert(v, Double::valueOf, "needs a number"));
        cl.registerConverter(Duration.class, v -> {
            try {
                return Duration.parse(v.trim());
            } catch (DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("needs an ISO-8601 duration such as PT30M (30 minutes) "
                        + "or PT30S, got '" + v + "'");
            }
        });
        return cl;
    }

    /** Runs the command {@code args} select and returns its exit status. */
    public static int execute(CommandLine cl, String... args) {
        try {
            return cl.execute(args);
        } finally {
            cl.getOut().flush();
            cl.getErr().flush();
        }
    }

    /**
     * Parses {@code args} into the command objects of {@code cl} without running anything.
     *
     * @return the parse result
     * @throws IllegalArgumentException with the message a usage error prints
     */
    public static CommandLine.ParseResult parse(CommandLine cl, String... args) {
        try {
            return cl.parseArgs(args);
        } catch (ParameterException e) {
            throw new IllegalArgumentException(message(e), e);
        }
    }

    /** The one-line answer to a usage error, naming the option or argument and what was wrong with it. */
    public static String message(ParameterException e) {
        CommandSpec spec = e.getCommandLine().getCommandSpec();
        String help = "(" + name(spec) + " --help lists the options)";
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().get(0);
            if (arg.startsWith("-")) {
                List<String> close = u.getSuggestions().stream().filter(s -> s.startsWith("-")).limit(3).toList();
                return "unknown option " + arg + (close.isEmpty() ? "" : "; did you mean " + String.join(" or ", close)
                        + "?") + " " + help;
            }
            if (!spec.subcommands().isEmpty()) {
                return "unknown command '" + arg + "': " + name(spec) + " takes one of "
                        + String.join(", ", spec.subcommands().keySet());
            }
            return "unexpected argument '" + arg + "' " + help;
        }
        if (e instanceof CommandLine.MissingParameterException m && !m.getMissing().isEmpty()) {
            ArgSpec a = m.getMissing().get(0);
            if (a instanceof OptionSpec o) {
                return e.getMessage().startsWith("Missing required option")
                        ? o.longestName() + " is required " + help
                        : o.longestName() + " needs a value (" + o.paramLabel() + ")";
            }
            return name(spec) + " needs " + a.paramLabel() + ": " + String.join(" ", a.description()) + " "
                    + help.replace("the options", "its arguments");
        }
        if (e.getCause() instanceof CommandLine.TypeConversionException t && e.getArgSpec() != null) {
            return (e.getArgSpec() instanceof OptionSpec o ? o.longestName() : e.getArgSpec().paramLabel()) + " "
                    + t.getMessage();
        }
        return e.getMessage() + " " + help;
    }

    /** {@code cnai models list}, also for a command line whose root is not {@code cnai}. */
    private static String name(CommandSpec spec) {
        String q = spec.qualifiedName();
        return q.startsWith("cnai") ? q : "cnai " + q;
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            cl.usage(cl.getOut()); // help wins over the mistakes on the same line
            return 0;
        }
        cl.getErr().println(message(e));
        return USAGE;
    }

    private static <T> T convert(String value, Function<String, T> parse, String expected) {
        try {
            return parse.apply(value.trim());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException(expected + ", got '" + value + "'");
        }
    }

    private static PrintWriter writer(PrintStream s) {
        return new PrintWriter(new OutputStreamWriter(s, StandardCharsets.UTF_8), true);
    }
}
