package dev.cnai.broker;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code serve}: runs the local broker until SIGTERM. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = "Run the local broker.",
        footer = {"", "Scale to zero: a --process is started on its first event and stopped when idle; it must "
                + "listen on the URL given by --subscriber name=url, and gets K_SINK=<this broker>.",
            "Fault injection (development only, off by default): --faults, else $" + Faults.ENV
                + "; see broker/README.md."})
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT",
            description = "ingress port (0 = any free port; default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDR",
            description = "address to bind (default ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--triggers", defaultValue = "knative", paramLabel = "DIR",
            description = "directory of Trigger manifests (*.yaml, *.yml; recursive; default ${DEFAULT-VALUE}/)")
    Path triggers;

    @Option(names = "--data-dir", defaultValue = ".cnai/broker", paramLabel = "DIR",
            description = "where events.jsonl and dead-letter.jsonl are written (default ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--subscriber", paramLabel = "name=url",
            description = "map a Knative Service name to a local base URL (repeatable; a name given again adds a "
                    + "replica: deliveries go to its URLs in turn)")
    List<String> subscribers = new ArrayList<>();

    @Option(names = "--subscribers-file", paramLabel = "FILE", description = "properties file of name=url lines")
    Path subscribersFile;

    @Option(names = "--max-body", defaultValue = "" + BrokerConfig.DEFAULT_MAX_BODY, paramLabel = "BYTES",
            description = "largest accepted event body in bytes, larger: 413 (default ${DEFAULT-VALUE})")
    int maxBody;

    @Option(names = "--delivery-timeout", defaultValue = "PT60S", paramLabel = "DURATION",
            description = "per-attempt delivery timeout, ISO-8601 (default ${DEFAULT-VALUE})")
    Duration deliveryTimeout;

    @Option(names = "--workers", defaultValue = "16", paramLabel = "N",
            description = "delivery threads (default ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--queue-capacity", defaultValue = "10000", paramLabel = "N",
            description = "pending deliveries at which new events are refused with 429 and Retry-After "
                    + "(default ${DEFAULT-VALUE})")
    int queueCapacity;

    @Option(names = "--memory-events", defaultValue = "100000", paramLabel = "N",
            description = "newest accepted events kept in memory for GET /events (default ${DEFAULT-VALUE})")
    int memoryEvents;

    @Option(names = "--dedupe-window", defaultValue = "PT10M", paramLabel = "DURATION",
            description = "how long (source,id) pairs are remembered to flag duplicates (default ${DEFAULT-VALUE})")
    Duration dedupeWindow;

    @Option(names = "--shutdown-grace", defaultValue = "PT5S", paramLabel = "DURATION",
            description = "how long in-flight deliveries may finish on SIGTERM (default ${DEFAULT-VALUE})")
    Duration shutdownGrace;

    @Option(names = "--process", paramLabel = "name=command",
            description = "start this Knative Service name on demand with this command line (split on spaces; "
                    + "quote with ' or \"); needs --subscriber name=url (repeatable)")
    List<String> processes = new ArrayList<>();

    @Option(names = "--idle-timeout", defaultValue = "PT30S", paramLabel = "DURATION",
            description = "stop a started process after this long without deliveries (default ${DEFAULT-VALUE})")
    Duration idleTimeout;

    @Option(names = "--start-timeout", defaultValue = "PT60S", paramLabel = "DURATION",
            description = "longest cold start, spawn until its health URL answers 200 (default ${DEFAULT-VALUE})")
    Duration startTimeout;

    @Option(names = "--health-path", defaultValue = ScaleToZero.DEFAULT_HEALTH, paramLabel = "PATH",
            description = "path polled on the subscriber URL during a cold start: the first event (or activator "
                    + "request) is forwarded once it answers 200 (default ${DEFAULT-VALUE}, readiness)")
    String healthPath;

    @Option(names = "--process-logs", paramLabel = "DIR",
            description = "append each process's output to DIR/<name>.log (default: discard)")
    Path processLogs;

    @Option(names = "--faults", paramLabel = "SPEC",
            description = "fault injection, e.g. 'seed=7,duplicate=0.3,delay=0..200ms,error=0.1,lost=0.1,"
                    + "kill=train-shard:dev.cnai.shard.assigned:2:150ms,kill-on-emit=evaluate:dev.cnai.shard.assigned:2'"
                    + " (default: $" + Faults.ENV + ", else none)")
    String faults;

    private final PrintStream out;
    private final UnaryOperator<String> env;

    ServeCommand(PrintStream out, UnaryOperator<String> env) {
        this.out = out;
        this.env = env;
    }

    @Override
    public Integer call() throws IOException {
        return serve(config(), out);
    }

    /**
     * The settings these options describe.
     *
     * @throws UsageException when they contradict each other or a mapping is malformed
     * @throws IOException when {@code --subscribers-file} cannot be read
     */
    BrokerConfig config() throws IOException {
        Map<String, URI> subs = new LinkedHashMap<>();
        Map<String, List<URI>> replicas = new LinkedHashMap<>();
        if (subscribersFile != null) {
            subs.putAll(SubscriberResolver.readProperties(subscribersFile));
        }
        for (String m : subscribers) {
            try {
                var e = SubscriberResolver.parseMapping(m);
                if (subs.containsKey(e.getKey())) {
                    replicas.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
                } else {
                    subs.put(e.getKey(), e.getValue());
                }
            } catch (IllegalArgumentException ex) {
                throw new UsageException(ex.getMessage());
            }
        }
        Map<String, List<String>> commands = new LinkedHashMap<>();
        for (String p : processes) {
            try {
                var e = ScaleToZero.parseProcess(p);
                commands.put(e.getKey(), e.getValue());
            } catch (IllegalArgumentException ex) {
                throw new UsageException(ex.getMessage());
            }
        }
        for (String name : commands.keySet()) {
            if (!subs.containsKey(name)) {
                throw new UsageException("--process " + name + " needs --subscriber " + name
                        + "=http://127.0.0.1:PORT (the port its command listens on)");
            }
        }
        ScaleToZero scaleToZero;
        try {
            scaleToZero = new ScaleToZero(commands, idleTimeout, startTimeout, healthPath,
                    ScaleToZero.NONE.stopGrace(), processLogs);
        } catch (IllegalArgumentException ex) {
            throw new UsageException(ex.getMessage());
        }
        Faults f = Main.faults(faults, env.apply(Faults.ENV));
        for (String s : f.killedServices()) {
            if (!commands.containsKey(s)) {
                throw new UsageException("--faults kills '" + s + "', which the broker does not start: add --process "
                        + s + "='<command>' and --subscriber " + s + "=URL, or drop that kill entry");
            }
        }
        return BrokerConfig.builder().host(host).port(port).triggersDir(triggers).dataDir(dataDir)
                .subscribers(subs).replicas(replicas).maxBody(maxBody).deliveryTimeout(deliveryTimeout).workers(workers)
                .queueCapacity(queueCapacity).memoryEvents(memoryEvents).dedupeWindow(dedupeWindow)
                .shutdownGrace(shutdownGrace).scaleToZero(scaleToZero).faults(f).build();
    }

    private static int serve(BrokerConfig cfg, PrintStream out) throws IOException {
        if (!Files.isDirectory(cfg.triggersDir())) {
            throw new UsageException("trigger directory not found: " + cfg.triggersDir().toAbsolutePath()
                    + " (use --triggers DIR)");
        }
        LocalBroker broker;
        try {
            broker = LocalBroker.start(cfg, out);
        } catch (java.net.BindException e) {
            throw new IOException("cannot listen on " + cfg.host() + ":" + cfg.port() + " (" + e.getMessage()
                    + "); is another broker running? Use --port to pick another port", e);
        }
        EventLog log = broker.log();
        log.info("cnai local broker listening on " + broker.uri() + "  (" + broker.triggers().size()
                + " triggers from " + cfg.triggersDir() + ", log " + cfg.dataDir().resolve(EventLog.EVENTS_FILE)
                + ")");
        for (Trigger t : broker.triggers()) {
            log.info("  trigger " + t.name() + "  " + (t.filter().isEmpty() ? "(all events)" : t.filter())
                    + "  → " + broker.resolver().resolve(t.subscriber()).map(URI::toString)
                    .orElse("UNMAPPED " + t.subscriber().describe()));
        }
        for (String name : broker.processes().names()) {
            log.info("  scale to zero: " + name + " starts on its first event, stops after "
                    + cfg.scaleToZero().idleTimeout() + " idle");
        }
        if (broker.triggers().isEmpty()) {
            log.info("WARNING no Triggers found under " + cfg.triggersDir() + ": accepted events reach nobody");
        }
        CommandSetup.awaitShutdown("broker-shutdown", () -> {
            log.info("shutting down: waiting up to " + cfg.shutdownGrace() + " for "
                    + broker.dispatcher().pending() + " pending deliveries");
            broker.close();
            out.flush();
        });
        return 0;
    }
}
