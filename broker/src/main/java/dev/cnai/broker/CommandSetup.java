package dev.cnai.broker;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;

/** The settings every broker command line shares (the broker's commands and the dead-letter sink's main). */
public final class CommandSetup {
    /** Exit status of a usage error. */
    public static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;

    private CommandSetup() {
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
        cl.registerConverter(Duration.class, CommandSetup::duration);
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

    /**
     * Blocks until the JVM shuts down (SIGTERM, Ctrl-C), running {@code onShutdown} in a shutdown hook thread named
     * {@code threadName} first; an interrupt ends the wait early.
     */
    public static void awaitShutdown(String threadName, Runnable onShutdown) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            onShutdown.run();
            stopped.countDown();
        }, threadName));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Duration duration(String s) {
        try {
            return Duration.parse(s.trim());
        } catch (DateTimeParseException e) {
            throw new CommandLine.TypeConversionException("must be an ISO-8601 duration like PT60S, got '" + s + "'");
        }
    }
}
