package dev.cnai.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cnai.events.EventCodec;
import dev.cnai.events.EventTypes;
import dev.cnai.events.TraceContext;
import dev.cnai.storage.ObjectStore;
import dev.cnai.storage.ObjectStores;
import dev.cnai.events.RunRequested;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.http.HttpMessageFactory;
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
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The whole pipeline on one machine: the local broker and the five functions as separate processes on
 * loopback, wired exactly as on Knative (the broker reads the Trigger manifests in {@code knative/},
 * functions post fan-out to {@code K_SINK}). Closing it stops every process it started, and only those.
 */
public final class LocalStack implements AutoCloseable {
    public static final List<String> FUNCTIONS = List.of("preprocess", "train-shard", "evaluate", "register", "infer");

    /** Functions the broker starts on their first event and stops when idle, unless configured otherwise. */
    public static final Set<String> DEFAULT_ON_DEMAND = Set.of("train-shard", "infer");
    /** Idle time after which the broker stops an on-demand function, unless configured otherwise. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Where things are and which ports to use: the broker on {@code portBase}, functions on the next five.
     * {@code onDemand} functions are scaled to zero by the broker: started on their first event (or first request
     * through its activator), stopped after {@code idleTimeout} without one. They keep their ports.
     * {@code brokerEnv} is added to the broker process's environment (which otherwise inherits this one) and so to every
     * function's, e.g. {@code CNAI_BROKER_FAULTS} to turn on the broker's fault injection, or credentials for the store. {@code store} is the functions' object store
     * root ({@code s3://bucket/prefix?…} or a directory; null: {@code <home>/store}).
     */
    public record Options(Path repo, Path home, int portBase, Duration startTimeout, PrintStream out,
            Set<String> onDemand, Duration idleTimeout, Map<String, String> brokerEnv, String store) {
        public Options {
            onDemand = Set.copyOf(onDemand);
            brokerEnv = brokerEnv == null ? Map.of() : Map.copyOf(brokerEnv);
            if (!FUNCTIONS.containsAll(onDemand)) {
                throw new IllegalArgumentException("unknown functions in " + onDemand + "; known: " + FUNCTIONS);
            }
        }

        /**
         * Default scale to zero: {@code cnai.local.scale-to-zero} (system property) or {@code CNAI_LOCAL_SCALE_TO_ZERO}
         * (comma-separated functions, {@code none} for none; default train-shard,infer) and
         * {@code cnai.local.idle-timeout} / {@code CNAI_LOCAL_IDLE_TIMEOUT} (ISO-8601, default PT30S).
         */
        public Options(Path repo, Path home, int portBase, Duration startTimeout, PrintStream out) {
            this(repo, home, portBase, startTimeout, out, configuredOnDemand(), configuredIdleTimeout());
        }

        /** Options with no extra broker environment. */
        public Options(Path repo, Path home, int portBase, Duration startTimeout, PrintStream out,
                Set<String> onDemand, Duration idleTimeout) {
            this(repo, home, portBase, startTimeout, out, onDemand, idleTimeout, Map.of(), null);
        }

        /** A copy whose broker process also gets {@code env} (e.g. {@code CNAI_BROKER_FAULTS=seed=7,...}). */
        public Options withBrokerEnv(Map<String, String> env) {
            return new Options(repo, home, portBase, startTimeout, out, onDemand, idleTimeout, env, store);
        }

        /** A copy whose functions use the object store at {@code root} (null: {@code <home>/store}). */
        public Options withStore(String root) {
            return new Options(repo, home, portBase, startTimeout, out, onDemand, idleTimeout, brokerEnv, root);
        }
    }

    static Set<String> configuredOnDemand() {
        String v = setting("cnai.local.scale-to-zero", "CNAI_LOCAL_SCALE_TO_ZERO");
        if (v == null) {
            return DEFAULT_ON_DEMAND;
        }
        if (v.isBlank() || v.trim().equals("none")) {
            return Set.of();
        }
        Set<String> out = new java.util.LinkedHashSet<>();
        for (String f : v.split(",")) {
            if (!f.isBlank()) {
                out.add(f.trim());
            }
        }
        return out;
    }

    static Duration configuredIdleTimeout() {
        String v = setting("cnai.local.idle-timeout", "CNAI_LOCAL_IDLE_TIMEOUT");
        return v == null || v.isBlank() ? DEFAULT_IDLE_TIMEOUT : Duration.parse(v.trim());
    }

    private static String setting(String property, String env) {
        String v = System.getProperty(property);
        return v != null ? v : System.getenv(env);
    }

    private final Options options;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** A stack that has started nothing yet ({@link #start} launches it; tests read its addresses). */
    LocalStack(Options options) {
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

    /**
     * Where to send plain HTTP requests for {@code function}: its own port, or, for an on-demand function, the
     * broker's activator, which starts it first when it is scaled to zero.
     */
    public String functionUrl(String function) {
        if (options.onDemand().contains(function)) {
            return brokerUrl() + "_activator/" + function + "/";
        }
        return directUrl(function);
    }

    /** The function's own address (its port on loopback), whether or not it runs. */
    public String directUrl(String function) {
        return "http://127.0.0.1:" + (options.portBase() + 1 + FUNCTIONS.indexOf(function)) + "/";
    }

    /**
     * Where each component serves its metrics in the Prometheus text format: the broker's {@code /metrics}, then each
     * function's {@code /q/metrics} on its own port (also for an on-demand function, which answers only while it runs).
     */
    public Map<String, URI> metricsEndpoints() {
        Map<String, URI> out = new LinkedHashMap<>();
        out.put("broker", URI.create(brokerUrl() + "metrics"));
        for (String f : FUNCTIONS) {
            out.put(f, URI.create(directUrl(f) + "q/metrics"));
        }
        return out;
    }

    /** The Prometheus configuration {@code start} writes for this stack ({@link ScrapeConfig}). */
    public Path scrapeConfig() {
        return options.home().resolve("prometheus.yml");
    }

    /** The broker's log (cold starts and scale-to-zero stops are reported there). */
    public Path brokerLog() {
        return options.home().resolve("logs/broker.log");
    }

    /** The local directory of the default {@code file://} store (unused when {@link #store()} is another root). */
    public Path storeDir() {
        return options.home().resolve("store");
    }

    /** The functions' object store root: {@code --store}, or {@link #storeDir()}. */
    public String store() {
        return options.store() != null ? options.store() : storeDir().toString();
    }

    /** The functions' object store, opened here (for reading a run's artifacts). */
    public ObjectStore objectStore() {
        return ObjectStores.open(store());
    }

    public Path registryDir() {
        return options.home().resolve("registry");
    }

    /** The broker's data directory (event log {@code events.jsonl}, dead letters {@code dead-letter.jsonl}). */
    public Path brokerDataDir() {
        return options.home().resolve("broker");
    }

    /**
     * Process ids of what this stack started and is still running, broker first, then the functions in
     * {@link #FUNCTIONS} order (an on-demand function is the broker's child and is not listed).
     */
    public Map<String, Long> pids() {
        Map<String, Long> out = new LinkedHashMap<>();
        processes.forEach((name, p) -> {
            if (p.isAlive()) {
                out.put(name, p.pid());
            }
        });
        return out;
    }

    private void launch() throws IOException, InterruptedException {
        Path logs = Files.createDirectories(options.home().resolve("logs"));
        ScrapeConfig.of(this, ScrapeConfig.DEFAULT_INTERVAL).write(scrapeConfig());
        String java = ProcessHandle.current().info().command().orElse("java");
        Path brokerJar = require(options.repo().resolve("broker/target/cnai-local-broker-0.1.0-SNAPSHOT.jar"));
        List<String> broker = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-Xmx256m", "-jar", brokerJar.toString(),
                "serve", "--port", Integer.toString(options.portBase()),
                "--triggers", options.repo().resolve("knative").toString(),
                "--data-dir", options.home().resolve("broker").toString()));
        for (String f : FUNCTIONS) {
            broker.add("--subscriber");
            broker.add(f + "=" + directUrl(f).replaceAll("/$", ""));
        }
        Map<String, List<String>> commands = new LinkedHashMap<>();
        for (String f : FUNCTIONS) {
            Path jar = require(options.repo().resolve("functions/" + f + "/target/quarkus-app/quarkus-run.jar"));
            int port = options.portBase() + 1 + FUNCTIONS.indexOf(f);
            commands.put(f, List.of(java, "-XX:+UseSerialGC", "-Xmx768m", "-Dquarkus.http.port=" + port,
                    "-Dcnai.storage-root=" + store(), "-Dcnai.registry=" + registryDir(), "-jar", jar.toString()));
        }
        // Scale to zero: the broker starts these on their first event (K_SINK = itself) and stops them when idle.
        for (String f : FUNCTIONS) {
            if (options.onDemand().contains(f)) {
                broker.add("--process");
                broker.add(f + "=" + commandLine(commands.get(f)));
            }
        }
        if (!options.onDemand().isEmpty()) {
            broker.addAll(List.of("--idle-timeout", options.idleTimeout().toString(),
                    "--start-timeout", options.startTimeout().toString(), "--process-logs", logs.toString()));
        }
        spawn("broker", broker, options.brokerEnv(), logs);
        waitHealthy("broker", brokerUrl() + "healthz");
        for (String f : FUNCTIONS) {
            if (!options.onDemand().contains(f)) {
                spawn(f, commands.get(f), Map.of("K_SINK", brokerUrl()), logs);
            }
        }
        for (String f : FUNCTIONS) {
            if (!options.onDemand().contains(f)) {
                waitHealthy(f, directUrl(f) + "q/health/ready");
            }
        }
    }

    /** Quotes each argument in single quotes, as the broker's {@code --process} option splits them. */
    static String commandLine(List<String> args) {
        StringBuilder sb = new StringBuilder();
        for (String a : args) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append('\'').append(a.replace("'", "'\\''")).append('\'');
        }
        return sb.toString();
    }

    private void spawn(String name, List<String> command, Map<String, String> env, Path logs) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(options.repo().toFile()).redirectErrorStream(true)
                .redirectOutput(logs.resolve(name + ".log").toFile());
        // what the broker's environment gets reaches the functions it starts on demand; these get it too
        pb.environment().putAll(options.brokerEnv());
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
        return send(type, subject, data, null);
    }

    /**
     * Posts a binary-mode CloudEvent to the broker ingress, with {@code trace} (when not null) as its Distributed
     * Tracing extension and the hop's trace headers; returns its id.
     */
    public String send(String type, String subject, Object data, TraceContext trace)
            throws IOException, InterruptedException {
        String id = UUID.randomUUID().toString();
        CloudEventBuilder b = CloudEventBuilder.v1();
        if (trace != null) {
            trace.attributes().forEach(b::withExtension);
        }
        CloudEvent event = b.withId(id).withSource(URI.create("/cnai/cli")).withType(type)
                .withSubject(subject).withDataContentType("application/json").withData(EventCodec.encode(data)).build();
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(brokerUrl())).timeout(Duration.ofSeconds(10));
        AtomicReference<byte[]> body = new AtomicReference<>(new byte[0]);
        HttpMessageFactory.createWriter(req::header, body::set).writeBinary(event);
        if (trace != null) {
            trace.attributes().forEach(req::header);
        }
        HttpResponse<String> resp = http.send(req.POST(HttpRequest.BodyPublishers.ofByteArray(body.get())).build(),
                HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() / 100 != 2) {
            throw new IllegalStateException("the broker refused " + type + ": HTTP " + resp.statusCode() + " " + resp.body());
        }
        return id;
    }

    /** Starts a run and returns its id. */
    public String submitRun(String runId, RunRequested request) throws IOException, InterruptedException {
        return submitRun(runId, request, null);
    }

    /** Starts a run whose request carries {@code trace} (or none when null), and returns its id. */
    public String submitRun(String runId, RunRequested request, TraceContext trace)
            throws IOException, InterruptedException {
        send(EventTypes.RUN_REQUESTED, runId, RunOptions.json(RunOptions.withRunId(request, runId)), trace);
        return runId;
    }

    /** The events (structured CloudEvents JSON) the broker accepted for a subject, from index {@code since} on. */
    public List<JsonNode> events(String subject, int since) throws IOException, InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        entries(subject, since).forEach(entry -> out.add(entry.path("event")));
        return out;
    }

    /**
     * The broker's log entries ({@code index}, {@code receivedAt}, {@code event}, …) for a subject (any subject when
     * null), with a broker-wide {@code index >= since}, at most 1000.
     */
    public List<JsonNode> entries(String subject, long since) throws IOException, InterruptedException {
        String query = "events?since=" + since + "&limit=1000" + (subject == null ? "" : "&subject=" + subject);
        HttpResponse<String> resp = get(brokerUrl() + query);
        if (resp.statusCode() != 200) {
            throw new IOException("GET /" + query + ": HTTP " + resp.statusCode() + " " + resp.body());
        }
        List<JsonNode> out = new ArrayList<>();
        EventCodec.mapper().readTree(resp.body()).forEach(out::add);
        return out;
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A base port P with P..P+5 free on loopback, below the ephemeral range (so no outgoing connection takes one). */
    public static int freePortBase() {
        return freePortBase(20000, 32000);
    }

    /** A base port P in [{@code lo}, {@code hi} - 5] with P..P+5 free on loopback. */
    public static int freePortBase(int lo, int hi) {
        if (hi - lo < 5) {
            throw new IllegalArgumentException("port range " + lo + "-" + hi + " holds fewer than six ports");
        }
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = lo + (int) (Math.random() * (hi - lo - 4));
            boolean free = true;
            for (int p = base; p <= base + 5 && free; p++) {
                try (java.net.ServerSocket s = new java.net.ServerSocket(p, 1, java.net.InetAddress.getLoopbackAddress())) {
                    s.setReuseAddress(true);
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no six free consecutive ports on loopback");
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
            awaitExit(processes.get(n));
        }
        processes.clear();
    }

    /**
     * Waits up to 10 s for a process that was asked to stop (SIGTERM), then kills it (SIGKILL, 5 s more); keeps the
     * thread's interrupt.
     */
    static void awaitExit(Process p) {
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
