package dev.cnai.broker.deadletter;

import dev.cnai.broker.BrokerConfig;
import dev.cnai.broker.CommandSetup;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Entry point of the dead-letter image ({@code gpu-runtime-image/Dockerfile.dead-letter}): runs only the
 * {@link DeadLetterSink}, not the local broker. {@code java -cp cnai-local-broker.jar
 * dev.cnai.broker.deadletter.DeadLetterMain [options]} is the same as {@code java -jar cnai-local-broker.jar sink
 * [options]}.
 */
public final class DeadLetterMain {

    /** Where the sink keeps events by default (the volume of {@code knative/base/dead-letter.yaml}). */
    public static final String DEFAULT_FILE = "/var/lib/cnai/dead-letter/dead-letter.jsonl";

    private DeadLetterMain() {
    }

    /** Runs the sink until SIGTERM; exits 2 on wrong arguments, 1 when it cannot start. */
    public static void main(String[] args) {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        int code = run(args, out, err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * Runs the sink command with {@code args} (its options; a leading {@code sink}, as manifests written for
     * {@code java -jar cnai-local-broker.jar sink ...} pass it, is skipped) and returns its exit status.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("sink")) {
            args = Arrays.copyOfRange(args, 1, args.length);
        }
        return CommandSetup.configure(new CommandLine(new Sink(out)).setCommandName("dead-letter-sink"), out, err)
                .execute(args);
    }

    /** {@code sink}: the dead-letter sink that keeps what it receives, as one JSON line per event. */
    @Command(name = "sink", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
            version = "cnai dead-letter sink",
            description = {"Dead-letter sink: keeps every CloudEvent it receives in a JSONL file.",
                "Each event is forced to disk before it answers 202; GET /healthz answers 200 with the count kept."})
    public static final class Sink implements Callable<Integer> {

        @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT",
                description = "port (0 = any free port; default ${DEFAULT-VALUE})")
        int port;

        @Option(names = "--host", defaultValue = "0.0.0.0", paramLabel = "ADDR",
                description = "address to bind (default ${DEFAULT-VALUE})")
        String host;

        @Option(names = "--file", defaultValue = DEFAULT_FILE, paramLabel = "FILE",
                description = "JSONL file events are appended to (default ${DEFAULT-VALUE})")
        Path file;

        @Option(names = "--max-body", defaultValue = "" + BrokerConfig.DEFAULT_MAX_BODY, paramLabel = "BYTES",
                description = "largest accepted event body in bytes, larger: 413 (default ${DEFAULT-VALUE})")
        int maxBody;

        private final PrintStream out;

        /** A sink command that reports on {@code out}. */
        public Sink(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() throws IOException {
            DeadLetterSink sink = DeadLetterSink.start(host, port, file, maxBody);
            out.println("dead-letter sink listening on port " + sink.port() + ", keeping events in "
                    + file.toAbsolutePath());
            CommandSetup.awaitShutdown("sink-shutdown", sink::close);
            return 0;
        }
    }
}
