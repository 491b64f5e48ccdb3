package dev.cnai.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Prometheus's {@code promtool} (Debian package {@code prometheus}, which {@code .ci/run} installs); public for the
 * cli's tests, which lint every function's {@code /q/metrics} with it too.
 */
public final class Promtool {
    /** The binary: system property {@code cnai.promtool}, default {@code /usr/bin/promtool}. */
    public static final Path BINARY = Path.of(System.getProperty("cnai.promtool", "/usr/bin/promtool"));

    /** What {@code promtool check metrics} said: exit code and its output (stdout and stderr). */
    public record Result(int exitCode, String output) {
    }

    private Promtool() {
    }

    /** Skips the test, saying why, when promtool is not installed. */
    public static void assumeInstalled() {
        Assumptions.assumeTrue(Files.isExecutable(BINARY), BINARY + " not found: install Debian's prometheus "
                + "package (apt-get install prometheus) to lint the exposition with promtool check metrics");
    }

    /** Runs {@code promtool check metrics} with {@code exposition} on its stdin. */
    public static Result checkMetrics(String exposition) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(BINARY.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("promtool check metrics did not finish within 30 s");
        }
        return new Result(p.exitValue(), out);
    }
}
