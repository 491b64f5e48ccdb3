package dev.cnai.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.broker.deadletter.DeadLetterMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The picocli command line: generated help, usage errors, option forms and the environment fallback. */
class CommandLineTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    private int run(UnaryOperator<String> env, String... args) {
        outBytes.reset();
        errBytes.reset();
        return Main.run(args, new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8), env);
    }

    private int run(String... args) {
        return run(name -> null, args);
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    /** The configuration {@code serve args} would run with, without starting it. */
    private static BrokerConfig serveConfig(UnaryOperator<String> env, String... args) throws Exception {
        PrintStream none = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        ServeCommand serve = new ServeCommand(none, env);
        Main.configure(new CommandLine(serve), none, none).parseArgs(args);
        return serve.config();
    }

    @Test
    void helpIsGeneratedForTheCommandsAndEachCommand() {
        assertEquals(0, run("--help"));
        for (String command : List.of("serve", "sink", "send", "watch", "help")) {
            assertTrue(out().contains(command), command + " listed: " + out());
        }
        assertEquals(0, run("help"));
        assertTrue(out().contains("serve"), out());
        assertEquals(Main.EXIT_USAGE, run());
        assertTrue(out().contains("Usage: cnai-local-broker"), out());

        assertEquals(0, run("serve", "--help"));
        for (String option : List.of("--port", "--host", "--triggers", "--data-dir", "--subscriber",
                "--subscribers-file", "--max-body", "--delivery-timeout", "--workers", "--queue-capacity",
                "--memory-events", "--dedupe-window", "--shutdown-grace", "--process", "--idle-timeout",
                "--start-timeout", "--health-path", "--process-logs", "--faults")) {
            assertTrue(out().contains(option), option + " in serve --help: " + out());
        }
        assertTrue(out().contains("default 10000"), "defaults shown: " + out());
        assertEquals(0, run("help", "watch"));
        assertTrue(out().contains("--until") && out().contains("the timeout passed first"), out());
        assertEquals(0, run("sink", "--help"));
        assertTrue(out().contains("--file") && out().contains(DeadLetterMain.DEFAULT_FILE), out());
        assertEquals(0, run("send", "-h"));
        assertTrue(out().contains("--extension"), out());
    }

    @Test
    void badUsageExitsTwoWithAMessageAndTheCommandsUsage() {
        assertEquals(Main.EXIT_USAGE, run("serve", "--queue-capacty", "5"));
        assertTrue(err().startsWith("error: Unknown option"), err());
        assertTrue(err().contains("'--queue-capacty'"), err());
        assertTrue(err().contains("Possible solutions: --queue-capacity"), "suggests the right name: " + err());
        assertTrue(err().contains("Usage: cnai-local-broker serve"), err());

        assertEquals(Main.EXIT_USAGE, run("serve", "--port", "eighty"));
        assertTrue(err().contains("--port") && err().contains("eighty"), err());
        assertEquals(Main.EXIT_USAGE, run("serve", "--delivery-timeout", "60s"));
        assertTrue(err().contains("must be an ISO-8601 duration like PT60S, got '60s'"), err());
        assertEquals(Main.EXIT_USAGE, run("serve", "--port"));
        assertTrue(err().contains("--port"), err());
        assertEquals(Main.EXIT_USAGE, run("serve", "--port", "1", "--port", "2"));
        assertTrue(err().contains("--port"), "given twice: " + err());
        assertEquals(Main.EXIT_USAGE, run("serve", "stray"));
        assertTrue(err().contains("'stray'"), err());
        assertEquals(Main.EXIT_USAGE, run("launch"));
        assertTrue(err().contains("'launch'") && err().contains("Usage: cnai-local-broker"), err());
        assertEquals(Main.EXIT_USAGE, run("watch", "--broker", "not a url", "--subject", "r"));
        assertTrue(err().contains("--broker must be an absolute URL"), err());
        assertEquals(Main.EXIT_USAGE, run("serve", "--subscriber", "nourl"));
        assertTrue(err().startsWith("error: "), err());
        assertEquals(Main.EXIT_USAGE, DeadLetterMain.run(new String[] {"--prot", "1"},
                new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8)));
    }

    @Test
    void serveWithoutOptionsUsesTheDefaults() throws Exception {
        assertEquals(BrokerConfig.defaults(), serveConfig(name -> null));
    }

    @Test
    void everyServeOptionReachesTheConfigurationInBothForms() throws Exception {
        BrokerConfig c = serveConfig(name -> null, "--port=0", "--host", "0.0.0.0", "--triggers", "t",
                "--data-dir=d", "--subscriber", "a=http://127.0.0.1:1", "--subscriber=b=http://127.0.0.1:2",
                "--max-body", "7", "--delivery-timeout", "PT1S", "--workers", " 3 ", "--queue-capacity", "4",
                "--memory-events", "5", "--dedupe-window", "PT2S", "--shutdown-grace", "PT3S",
                "--process", "a=java -version", "--idle-timeout", "PT4S", "--start-timeout", "PT5S",
                "--health-path", "/h", "--process-logs", "logs");
        assertEquals(BrokerConfig.builder().port(0).host("0.0.0.0").triggersDir(Path.of("t")).dataDir(Path.of("d"))
                .subscribers(Map.of("a", URI.create("http://127.0.0.1:1"), "b", URI.create("http://127.0.0.1:2")))
                .maxBody(7).deliveryTimeout(Duration.ofSeconds(1)).workers(3).queueCapacity(4).memoryEvents(5)
                .dedupeWindow(Duration.ofSeconds(2)).shutdownGrace(Duration.ofSeconds(3))
                .scaleToZero(new ScaleToZero(Map.of("a", List.of("java", "-version")), Duration.ofSeconds(4),
                        Duration.ofSeconds(5), "/h", ScaleToZero.NONE.stopGrace(), Path.of("logs")))
                .build(), c);
    }

    @Test
    void faultsFallBackToTheEnvironmentVariable() throws Exception {
        UnaryOperator<String> env = name -> Faults.ENV.equals(name) ? "seed=3,duplicate=0.5" : null;
        assertEquals(0.5, serveConfig(env).faults().duplicate());
        assertEquals(0, serveConfig(env, "--faults", "error=0.2").faults().duplicate(), "the option wins");
        assertEquals(Faults.NONE, serveConfig(name -> null).faults());

        assertEquals(Main.EXIT_USAGE, run(name -> Faults.ENV.equals(name) ? "duplicate=2" : null,
                "serve", "--port", "0", "--triggers", dir.toString(), "--data-dir", dir.resolve("d").toString()));
        assertTrue(err().startsWith("error: " + Faults.ENV + ": "), err());
        assertFalse(err().contains("--faults: "), err());
    }

    @Test
    void theDeadLetterMainTakesTheSinkOptionsWithOrWithoutTheSinkWord() {
        PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
        assertEquals(0, DeadLetterMain.run(new String[] {"--help"}, out, err));
        assertTrue(out().contains("Usage: dead-letter-sink") && out().contains("--max-body"), out());
        outBytes.reset();
        assertEquals(0, DeadLetterMain.run(new String[] {"sink", "--help"}, out, err), err());
        assertTrue(out().contains("--file"), out());
    }

    @Test
    void atSignDataIsNotExpandedAsAnArgumentFile() {
        // --data @file is send's own syntax; picocli must not read it as an argument file
        assertEquals(1, run("send", "--broker", "http://127.0.0.1:1", "--type", "t", "--source", "/s",
                "--data", "@" + dir.resolve("missing.json")));
        assertTrue(err().contains("missing.json"), err());
    }
}
