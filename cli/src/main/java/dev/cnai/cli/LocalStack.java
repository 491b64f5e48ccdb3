package dev.cnai.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cnai.events.EventCodec;
import dev.cnai.events.EventTypes;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The whole pipeline on one machine: the local broker and the five functions as separate processes on
 * loopback, wired exactly as on Knative (the broker reads the Trigger manifests in {@code knative/},
 * functions post fan-out to {@code K_SINK}). Closing it stops every process it started, and only those.
 */
public final class LocalStack implements AutoCloseable {
    public static final List<String> FUNCTIONS = List.of("preprocess", "train-shard", "evaluate", "register", "infer");

    /** Where things are and which ports to use: the broker on {@code portBase}, functions on the next five. */
    public record Options(Path repo, Path home, int portBase, Duration startTimeout, PrintStream out) {
    }

    private final Options options;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private LocalStack(Options options) {
        this.options = options;
    }

    /** Starts the broker and the functions and waits until each answers its health check. */
    public static LocalStack start(Options o) throws IOException, InterruptedException {
        LocalStack s = new LocalStack(o);
        try {
            s.launch();
        } catch (IOException | InterruptedException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    public String brokerUrl() {
        return "http://127.0.0.1:" + options.portBase() + "/";
    }

    public String functionUrl(String function) {
        return "http://127.0.0.1:" + (options.portBase() + 1 + FUNCTIONS.indexOf(function)) + "/";
    }

    public Path storeDir() {
        return options.home().resolve("store");
    }

    public Path registryDir() {
        return options.home().resolve("registry");
    }

    private void launch() throws IOException, InterruptedException {
        Path logs = Files.createDirectories(options.home().resolve("logs"));
        String java = ProcessHandle.current().info().command().orElse("java");
        Path brokerJar = require(options.repo().resolve("broker/target/cnai-local-broker-0.1.0-SNAPSHOT.jar"));
        List<String> broker = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-Xmx256m", "-jar", brokerJar.toString(),
                "serve", "--port", Integer.toString(options.portBase()),
                "--triggers", options.repo().resolve("knative").toString(),
                "--data-dir", options.home().resolve("broker").toString()));
        for (String f : FUNCTIONS) {
            broker.add("--subscriber");
            broker.add(f + "=" + functionUrl(f).replaceAll("/$", ""));
        }
        spawn("broker", broker, Map.of(), logs);
        waitHealthy("broker", brokerUrl() + "healthz");
        for (String f : FUNCTIONS) {
            Path jar = require(options.repo().resolve("functions/" + f + "/target/quarkus-app/quarkus-run.jar"));
            int port = options.portBase() + 1 + FUNCTIONS.indexOf(f);
            spawn(f, List.of(java, "-XX:+UseSerialGC", "-Xmx768m", "-Dquarkus.http.port=" + port,
                    "-Dcnai.storage-root=" + storeDir(), "-Dcnai.registry=" + registryDir(), "-jar", jar.toString()),
                    Map.of("K_SINK", brokerUrl()), logs);
        }
        for (String f : FUNCTIONS) {
            waitHealthy(f, functionUrl(f) + "q/health/live");
        }
    }

    private void spawn(String name, List<String> command, Map<String, String> env, Path logs) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(options.repo().toFile()).redirectErrorStream(true)
                .redirectOutput(logs.resolve(name + ".log").toFile());
        pb.environment().putAll(env);
        processes.put(name, pb.start());
    }

    private void waitHealthy(String name, String url) throws InterruptedException {
        long deadline = System.nanoTime() + options.startTimeout().toNanos();
        while (System.nanoTime() < deadline) {
            Process p = processes.get(name);
            if (p != null && !p.isAlive()) {
                throw new IllegalStateException(name + " exited with status " + p.exitValue() + " during start; see "
                        + options.home().resolve("logs/" + name + ".log"));
            }
            try {
                if (get(url).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(name + " did not become healthy within " + options.startTimeout() + " (" + url
                + "); see " + options.home().resolve("logs/" + name + ".log"));
    }

    /** Posts a binary-mode CloudEvent to the broker ingress; returns its id. */
    public String send(String type, String subject, Object data) throws IOException, InterruptedException {
        String id = UUID.randomUUID().toString();
        HttpRequest req = HttpRequest.newBuilder(URI.create(brokerUrl())).timeout(Duration.ofSeconds(10))
                .header("ce-id", id).header("ce-source", "/cnai/cli").header("ce-specversion", "1.0")
                .header("ce-type", type).header("ce-subject", subject).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(EventCodec.encode(data))).build();
        HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() / 100 != 2) {
            throw new IllegalStateException("the broker refused " + type + ": HTTP " + resp.statusCode() + " " + resp.body());
        }
        return id;
    }

    /** Starts a run and returns its id. */
    public String submitRun(String runId, Map<String, Object> request) throws IOException, InterruptedException {
        Map<String, Object> data = new LinkedHashMap<>(request);
        data.put("runId", runId);
        send(EventTypes.RUN_REQUESTED, runId, data);
        return runId;
    }

    /** The events (structured CloudEvents JSON) the broker accepted for a subject, from index {@code since} on. */
    public List<JsonNode> events(String subject, int since) throws IOException, InterruptedException {
        HttpResponse<String> resp = get(brokerUrl() + "events?subject=" + subject + "&since=" + since);
        JsonNode arr = EventCodec.mapper().readTree(resp.body());
        List<JsonNode> out = new ArrayList<>();
        arr.forEach(entry -> out.add(entry.path("event")));
        return out;
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Path require(Path p) {
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p + " is missing: build first with `mvn -B package -DskipTests`");
        }
        return p;
    }

    /** Stops every process this stack started (SIGTERM, then SIGKILL after 10 s). */
    @Override
    public void close() {
        List<String> names = new ArrayList<>(processes.keySet());
        java.util.Collections.reverse(names);
        for (String n : names) {
            processes.get(n).destroy();
        }
        for (String n : names) {
            Process p = processes.get(n);
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
    }
}
