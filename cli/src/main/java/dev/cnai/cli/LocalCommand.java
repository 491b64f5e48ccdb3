package dev.cnai.cli;

import dev.cnai.cli.command.HelpOption;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cnai.cli.command.CommandLines;
import dev.cnai.cli.report.ReportWriter;
import dev.cnai.data.Dataset;
import dev.cnai.energy.EnergyLedger;
import dev.cnai.energy.StepEnergy;
import dev.cnai.data.ShardCodec;
import dev.cnai.events.EventCodec;
import dev.cnai.events.RunRequested;
import dev.cnai.storage.ObjectStores;
import dev.cnai.storage.StorageException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cnai local --dataset PATH [options]}: runs the pipeline on one machine (see {@code scripts/run-local.sh}). */
@Command(name = "local", sortOptions = false, usageHelpAutoWidth = false,
        description = "Runs the pipeline on this machine: the broker and the five functions as processes on "
                + "loopback; then keeps infer serving (Ctrl-C stops all) unless --once.",
        footer = "%nExit status (with --once): 0 a model was registered, 1 rejected, failed or timed out, 2 usage.")
final class LocalCommand implements Callable<Integer> {
    private final PrintStream out;

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = "--once", description = "exit after the run: status 0 when a model was registered; last line is "
            + "JSON")
    boolean once;

    @Mixin
    RunOptions run;

    @Option(names = "--run-id", paramLabel = "ID", description = "run id (default run-<timestamp>)")
    String runId;

    @Option(names = "--home", paramLabel = "DIR", defaultValue = ".cnai",
            description = "state directory (default ${DEFAULT-VALUE})")
    String home;

    @Option(names = "--store", paramLabel = "URI", description = "the functions' object store: a directory or "
            + "s3://bucket/prefix[?endpoint=…&pathStyle=true] (default $CNAI_STORE, else <home>/store; docs/storage.md)")
    String store;

    @Option(names = "--port-base", paramLabel = "P", defaultValue = "8080",
            description = "broker port; functions use P+1..P+5 (default ${DEFAULT-VALUE})")
    int portBase;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT30M",
            description = "give up after this long (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--traces", description = "start a Zipkin server on 127.0.0.1:P+9, export every step's spans to "
            + "it and print the link to the run's trace at the end (it stops with this command; docs/operations.md)")
    boolean traces;

    @Mixin
    RepoOption repo;

    LocalCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        Path repoDir = repo.path();
        Path homeDir = repoDir.resolve(home).toAbsolutePath().normalize();
        String id = runId != null ? runId : "run-" + System.currentTimeMillis();
        RunRequested request;
        try {
            request = run.request(id);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return CommandLines.USAGE;
        }
        String storeRoot = store != null ? store : System.getenv("CNAI_STORE");
        if (storeRoot != null) {
            try {
                ObjectStores.check(storeRoot);
            } catch (StorageException e) {
                spec.commandLine().getErr().println("--store: " + e.getMessage());
                return CommandLines.USAGE;
            }
        }
        LocalStack.Options opts = new LocalStack.Options(repoDir, homeDir, portBase, Duration.ofSeconds(90), out)
                .withStore(storeRoot);
        long t0 = System.nanoTime();
        Traces zipkin = null;
        if (traces) {
            out.printf("starting zipkin on 127.0.0.1:%d (log in %s)%n", portBase + 9, homeDir.resolve("zipkin"));
            zipkin = Traces.start(repoDir, homeDir.resolve("zipkin"), portBase + 9, Duration.ofSeconds(180));
            opts = opts.withBrokerEnv(zipkin.functionEnv());
        }
        Traces backend = zipkin;
        out.printf("starting broker and %d functions (logs in %s)%n", LocalStack.FUNCTIONS.size(),
                homeDir.resolve("logs"));
        LocalStack stack = LocalStack.start(opts);
        Thread hook = new Thread(() -> {
            stack.close();
            if (backend != null) {
                backend.close();
            }
        }, "cnai-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        out.printf("started in %.1fs; run %s%n", (System.nanoTime() - t0) / 1e9, id);
        out.printf("metrics: Prometheus scrape config in %s (prometheus --config.file=%s)%n", stack.scrapeConfig(),
                stack.scrapeConfig());
        Traces.RunSpan span = zipkin == null ? null : zipkin.runSpan(id);
        stack.submitRun(id, request, span == null ? null : span.context());
        RunWatcher.Outcome r = new RunWatcher(stack, out, traceId -> backend == null ? traceId
                : backend.traceUrl(traceId)).follow(id, timeout);
        double wall = (System.nanoTime() - t0) / 1e9;
        if (span != null) {
            span.end(r.ok(), r.reason());
            out.printf("trace: %s%n", zipkin.traceUrl(span.context().traceId()));
        }
        Path report = writeReport(stack, id, homeDir, out);
        double joules = printEnergy(stack, id, out);
        if (once || !r.ok()) {
            ObjectNode summary = EventCodec.mapper().createObjectNode();
            summary.put("run_id", id).put("status", r.status());
            if (r.evaluated() != null) {
                summary.put("test_accuracy", r.evaluated().test().accuracy());
                summary.put("macro_f1", r.evaluated().test().macroF1());
                summary.put("rounds", r.evaluated().rounds());
            }
            summary.put("model", r.registered() == null ? null : r.registered().reference());
            summary.put("sample", r.ok() ? writeSample(stack, id, homeDir).toString() : null);
            summary.put("reason", r.reason());
            summary.put("report", report == null ? null : report.toString());
            summary.put("wall_seconds", Math.round(wall * 10) / 10.0);
            // from run.requested to the outcome: the pipeline alone, without the stack's (or Zipkin's) start-up
            summary.put("pipeline_seconds", Math.round(r.wallSeconds() * 10) / 10.0);
            summary.put("trace_id", span == null ? null : span.context().traceId());
            summary.put("energy_joules", Math.round(joules * 10) / 10.0);
            if (r.failure() != null) {
                summary.put("failed_step", r.failure().step()).put("failed_event_id", r.failure().eventId())
                        .put("failed_trace_id", r.failure().traceId());
            }
            Runtime.getRuntime().removeShutdownHook(hook);
            stack.close();
            if (zipkin != null) {
                zipkin.close();
            }
            out.println(EventCodec.mapper().writeValueAsString(summary));
            return r.ok() ? 0 : 1;
        }
        printCurl(stack, id, homeDir, out);
        new CountDownLatch(1).await();
        return 0;
    }

    /**
     * Writes {@code <home>/reports/<run>.html} and prints its link; a failure is reported, never fatal. register
     * records its own energy just after its response, so the report waits briefly for that record.
     */
    private static Path writeReport(LocalStack stack, String runId, Path home, PrintStream out) {
        try {
            String registerPrefix = EnergyLedger.prefix(runId) + "register/";
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (stack.objectStore().list(registerPrefix).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Path target = ReportWriter.defaultPath(home, runId);
            ReportWriter.write(stack.objectStore(), stack.registryDir().toString(), runId, target);
            out.println("report     " + target.toUri());
            return target;
        } catch (Exception e) {
            out.println("report     not written: " + e);
            return null;
        }
    }

    /** Prints and returns the energy the run's handled events recorded (docs/operations.md#energy). */
    private static double printEnergy(LocalStack stack, String runId, PrintStream out) {
        List<StepEnergy> steps = new EnergyLedger(stack.objectStore()).list(runId);
        double joules = steps.stream().mapToDouble(StepEnergy::joules).sum();
        String sources = steps.stream().map(e -> e.source().toString().toLowerCase(java.util.Locale.ROOT)).distinct()
                .sorted().collect(java.util.stream.Collectors.joining("+"));
        out.printf(java.util.Locale.ROOT, "energy     %.1f J (%.4f Wh) over %d handled events (%s)%n", joules,
                joules / 3600, steps.size(), steps.isEmpty() ? "none recorded" : sources);
        return joules;
    }

    private static void printCurl(LocalStack stack, String runId, Path home, PrintStream out) throws Exception {
        Path sample = writeSample(stack, runId, home);
        out.printf("%ninfer is serving the production model. Classify a test digit (true label %d):%n%n",
                testSplit(stack, runId).y()[0]);
        out.printf("  curl -s -H 'Content-Type: application/json' --data @%s %s%n%n", sample, stack.functionUrl("infer"));
        out.println("Ctrl-C stops the broker and the five functions.");
    }

    /** Writes {@code <home>/sample.json}: the run's first test digit as an infer request. */
    private static Path writeSample(LocalStack stack, String runId, Path home) throws IOException {
        Dataset test = testSplit(stack, runId);
        Path sample = home.resolve("sample.json");
        Files.write(sample, EventCodec.encode(Map.of("instances", List.of(
                Arrays.copyOfRange(test.x(), 0, test.features())))));
        return sample;
    }

    private static Dataset testSplit(LocalStack stack, String runId) {
        return ShardCodec.decode(stack.objectStore().get("runs/" + runId + "/data/test.bin").orElseThrow());
    }
}
