package dev.cnai.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cnai.events.EventCodec;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Prometheus server (Debian's {@code prometheus} package, which {@code .ci/run} installs) on loopback, with
 * its storage in a temporary directory, queried over its HTTP API ({@code promtool}: {@link
 * dev.cnai.broker.Promtool}).
 */
final class Prometheus implements AutoCloseable {
    static final Path SERVER = Path.of(System.getProperty("cnai.prometheus", "/usr/bin/prometheus"));
    static final Path PROMTOOL = dev.cnai.broker.Promtool.BINARY;

    private final Process process;
    private final URI base;
    private final Path log;

    private Prometheus(Process process, URI base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    /** Whether both prometheus and promtool are installed. */
    static boolean installed() {
        return Files.isExecutable(SERVER) && Files.isExecutable(PROMTOOL);
    }

    /** Skips the test, saying why, unless both prometheus and promtool are installed. */
    static void assumeInstalled() {
        Assumptions.assumeTrue(installed(), SERVER + " or " + PROMTOOL
                + " not found: install Debian's prometheus package (apt-get install prometheus) to run this test");
    }

    /**
     * Starts Prometheus with {@code config} on {@code 127.0.0.1:port}, its data under {@code dir}, and waits (up to
     * 30 s) until {@code /-/ready} answers 200.
     */
    static Prometheus start(Path config, Path dir, int port) throws IOException, InterruptedException {
        Path log = dir.resolve("prometheus.log");
        Files.createDirectories(dir);
        Process p = new ProcessBuilder(SERVER.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Prometheus prom = new Prometheus(p, URI.create("http://127.0.0.1:" + port + "/"), log);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            if (!p.isAlive()) {
                throw new IllegalStateException("prometheus exited with " + p.exitValue() + ": " + Files.readString(log));
            }
            try {
                if (get(prom.base.resolve("-/ready")).statusCode() == 200) {
                    return prom;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                prom.close();
                throw new IllegalStateException("prometheus not ready within 30 s: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
    }

    /** A free port on loopback at or above {@code from}. */
    static int freePort(int from) {
        for (int port = from; port < from + 100; port++) {
            try (java.net.ServerSocket s = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // next
            }
        }
        throw new IllegalStateException("no free port in " + from + ".." + (from + 99));
    }

    /** {@code GET /api/v1/targets}: its {@code data.activeTargets}. */
    JsonNode activeTargets() throws IOException, InterruptedException {
        return api("api/v1/targets?state=active").path("activeTargets");
    }

    /** An instant query's {@code data.result} (vector). */
    JsonNode query(String promql) throws IOException, InterruptedException {
        return api("api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).path("result");
    }

    /** {@code GET /api/v1/label/__name__/values}: every metric name Prometheus has samples of. */
    java.util.Set<String> metricNames() throws IOException, InterruptedException {
        java.util.Set<String> names = new java.util.TreeSet<>();
        api("api/v1/label/__name__/values").forEach(n -> names.add(n.asText()));
        return names;
    }

    /** The server's own log (for failure messages). */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private JsonNode api(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> r = get(base.resolve(pathAndQuery));
        JsonNode body = EventCodec.mapper().readTree(r.body());
        if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new IOException("GET /" + pathAndQuery + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return body.path("data");
    }

    private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return EndToEnd.HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s). */
    @Override
    public void close() {
        process.destroy();
        LocalStack.awaitExit(process);
    }
}
