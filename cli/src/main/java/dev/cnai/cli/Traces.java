package dev.cnai.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cnai.events.EventCodec;
import dev.cnai.events.TraceContext;
import dev.cnai.tracing.StepSpan;
import dev.cnai.tracing.SpanExport;
import dev.cnai.tracing.Tracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Traces for {@code cnai local --traces}: a Zipkin server on loopback (the exec jar Maven copies to
 * {@code cli/target/zipkin/zipkin-server.jar}, in-memory storage), the settings that make the functions export their
 * spans to it, and the CLI's own span of the run ({@code cnai run}), whose context rides on {@code run.requested} so
 * that every step's span joins one trace. Zipkin accepts no OTLP, so spans go with OpenTelemetry's Zipkin exporter;
 * on a cluster the functions export OTLP (docs/operations.md#tracing).
 */
final class Traces implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final URI base;
    private final Path log;

    private Traces(Process process, URI base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    /** Where {@code mvn package} puts Zipkin's server (maven-dependency-plugin, cli/pom.xml). */
    static Path serverJar(Path repo) {
        return repo.resolve("cli/target/zipkin/zipkin-server.jar");
    }

    /**
     * Starts Zipkin on {@code 127.0.0.1:port} (its log under {@code dir}) and waits until {@code /health} answers 200.
     */
    static Traces start(Path repo, Path dir, int port, Duration timeout) throws IOException, InterruptedException {
        Path jar = serverJar(repo);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build first with `mvn -B package -DskipTests`");
        }
        Files.createDirectories(dir);
        Path log = dir.resolve("zipkin.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:+UseSerialGC", "-Xmx384m", "-XX:TieredStopAtLevel=1", "-jar",
                jar.toString(), "--armeria.ports[0].ip=127.0.0.1", "--armeria.ports[0].port=" + port,
                "--armeria.ports[0].protocols[0]=http").redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("STORAGE_TYPE", "mem");
        pb.environment().put("QUERY_PORT", String.valueOf(port));
        Traces t = new Traces(pb.start(), URI.create("http://127.0.0.1:" + port + "/"), log);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!t.process.isAlive()) {
                throw new IllegalStateException("zipkin exited with " + t.process.exitValue() + "; see " + log);
            }
            try {
                if (t.get("health").statusCode() == 200) {
                    return t;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                t.close();
                throw new IllegalStateException("zipkin not ready within " + timeout + "; see " + log);
            }
            Thread.sleep(200);
        }
    }

    /** Zipkin's span intake (v2 JSON). */
    String spansEndpoint() {
        return base.resolve("api/v2/spans").toString();
    }

    /** The UI page of one trace. */
    String traceUrl(String traceId) {
        return base.resolve("zipkin/traces/" + traceId).toString();
    }

    /**
     * The environment that makes a function export its spans here: the Zipkin endpoint (which turns the SDK on) and a
     * short batch delay (a function scaled to zero flushes on shutdown anyway).
     */
    Map<String, String> functionEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNAI_TRACING_ZIPKIN_ENDPOINT", spansEndpoint());
        env.put("CNAI_TRACING_BATCH_DELAY", "PT0.5S");
        return env;
    }

    /** The spans of a trace ({@code GET /api/v2/trace/{id}}), an empty array while Zipkin has none. */
    JsonNode trace(String traceId) throws IOException, InterruptedException {
        HttpResponse<String> r = get("api/v2/trace/" + traceId);
        return r.statusCode() == 404 ? EventCodec.mapper().createArrayNode() : EventCodec.mapper().readTree(r.body());
    }

    /** Traces matching a query string of {@code GET /api/v2/traces} (e.g. {@code annotationQuery=cnai.run_id=run-1}). */
    JsonNode traces(String query) throws IOException, InterruptedException {
        HttpResponse<String> r = get("api/v2/traces?" + query);
        if (r.statusCode() != 200) {
            throw new IOException("GET /api/v2/traces?" + query + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return EventCodec.mapper().readTree(r.body());
    }

    Path log() {
        return log;
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The CLI's span of one run: its context goes on {@code run.requested}; {@link #close} ends and exports it. */
    RunSpan runSpan(String runId) {
        return new RunSpan(this, runId);
    }

    static final class RunSpan implements AutoCloseable {
        private final OpenTelemetry sdk;
        private final StepSpan span;

        private RunSpan(Traces traces, String runId) {
            sdk = new SpanExport("cnai-cli", Optional.empty(), Map.of(), Optional.of(URI.create(traces.spansEndpoint())),
                    1.0, Duration.ofMillis(200)).open();
            span = new Tracing(sdk).start("cnai run", SpanKind.PRODUCER).run(runId).leave();
        }

        /** The context to put on {@code run.requested}. */
        TraceContext context() {
            return span.context().orElseThrow();
        }

        /** Ends the span with the run's outcome and exports it. */
        void end(boolean ok, String reason) {
            if (!ok) {
                span.error(new IllegalStateException(reason == null ? "run failed" : reason));
            }
            close();
        }

        @Override
        public void close() {
            span.end();
            SpanExport.close(sdk); // flushes
        }
    }

    @Override
    public void close() {
        process.destroy();
        LocalStack.awaitExit(process);
    }
}
