package dev.cnai.broker;

import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A local Knative Broker: loads Triggers, accepts CloudEvents on its HTTP ingress, fans them out to matching
 * Triggers' subscribers, re-injects replies, and records everything in its {@link EventLog}.
 */
public final class LocalBroker implements AutoCloseable {

    /** Longest reply chain (event → reply → reply …) before events are dead-lettered as a loop. */
    public static final int MAX_HOPS = 255;

    /**
     * Which Triggers an event is for: those of one broker ({@code POST /<namespace>/<broker>}), or all
     * ({@code POST /}, {@link #ALL}).
     *
     * @param namespace request namespace, or null
     * @param broker broker name, or null for every broker
     */
    public record Scope(String namespace, String broker) {
        /** Every Trigger, whatever its broker. */
        public static final Scope ALL = new Scope(null, null);

        /** True when {@code t} belongs to this scope. */
        public boolean includes(Trigger t) {
            return broker == null || t.servesBroker(namespace, broker);
        }
    }

    private final BrokerConfig config;
    private final BrokerMetrics metrics;
    private final List<Trigger> triggers;
    private final List<String> warnings;
    private final SubscriberResolver resolver;
    private final EventLog log;
    private final Dispatcher dispatcher;
    private final ProcessManager processes;
    private final FaultInjector faults;
    private final Admission admission;
    private final Ingress ingress;
    private final Map<String, Instant> seen = new LinkedHashMap<>();
    private volatile boolean closed;

    private LocalBroker(BrokerConfig config, TriggerLoader.Result loaded, PrintStream console, BrokerMetrics metrics)
            throws IOException {
        this.config = config;
        this.metrics = metrics;
        this.triggers = loaded.triggers();
        this.resolver = new SubscriberResolver(config.subscribers(), config.replicas());
        this.log = new EventLog(config.dataDir(), console, config.memoryEvents(), metrics);
        List<String> w = new ArrayList<>(loaded.warnings());
        for (Trigger t : triggers) {
            metrics.trigger(t.name());
            if (resolver.resolve(t.subscriber()).isEmpty()) {
                w.add("Trigger '" + t.name() + "': " + resolver.unresolvedReason(t.subscriber())
                        + "; its events will be dead-lettered");
            }
            Destination dls = t.delivery().deadLetterSink();
            if (dls != null && resolver.resolve(dls).isEmpty()) {
                w.add("Trigger '" + t.name() + "': dead-letter sink " + resolver.unresolvedReason(dls)
                        + "; dead letters go to " + EventLog.DEAD_LETTER_FILE + " only");
            }
        }
        this.warnings = List.copyOf(w);
        this.processes = new ProcessManager(config.scaleToZero(), config.subscribers(),
                () -> URI.create(uri() + "/"), log, metrics);
        try {
            this.faults = new FaultInjector(config.faults(), log, processes);
        } catch (IllegalArgumentException e) {
            processes.close();
            log.close();
            throw e;
        }
        this.dispatcher = new Dispatcher(config, resolver, log, this::onReply, processes, faults, metrics);
        this.admission = new Admission(config.queueCapacity(), dispatcher::pending, log, Duration.ofSeconds(5),
                metrics);
        this.ingress = new Ingress(this, config);
    }

    /**
     * Loads the Triggers from {@code config.triggersDir()}, opens the logs and starts the ingress.
     *
     * @param console where human-readable lines go (null for none)
     * @throws IllegalArgumentException when the triggers directory does not exist
     */
    public static LocalBroker start(BrokerConfig config, PrintStream console) throws IOException {
        // Initialise the CloudEvents JSON format on another core while the Trigger YAML is parsed.
        Thread warmUp = new Thread(Events::warmUp, "broker-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
        return start(config, TriggerLoader.loadDirectory(config.triggersDir()), console);
    }

    /** Starts a broker with Triggers given directly, its meters in a new Prometheus registry. */
    public static LocalBroker start(BrokerConfig config, TriggerLoader.Result triggers, PrintStream console)
            throws IOException {
        return start(config, triggers, console, BrokerMetrics.prometheus());
    }

    /**
     * Starts a broker with Triggers given directly (used by tests and embedders), its meters in {@code metrics}
     * ({@code GET /metrics} serves them when their registry is a Prometheus one).
     */
    public static LocalBroker start(BrokerConfig config, TriggerLoader.Result triggers, PrintStream console,
            BrokerMetrics metrics) throws IOException {
        LocalBroker b = new LocalBroker(config, triggers, console, metrics);
        for (String w : b.warnings) {
            b.log.info("WARNING " + w);
        }
        if (b.faults.enabled()) {
            b.log.info("WARNING FAULT INJECTION ON (development only): " + config.faults()
                    + "; every injected fault is logged as FAULT <kind> and counted in GET /healthz");
        }
        try {
            b.ingress.start();
        } catch (IOException | RuntimeException e) {
            b.closed = true;
            b.admission.close();
            b.dispatcher.shutdown(java.time.Duration.ZERO);
            b.faults.close();
            b.processes.close();
            b.log.close();
            throw e;
        }
        return b;
    }

    /** The loaded Triggers. */
    public List<Trigger> triggers() {
        return triggers;
    }

    /** Warnings from loading (bad manifests, unmapped subscribers and sinks). */
    public List<String> warnings() {
        return warnings;
    }

    /** The subscriber resolver. */
    public SubscriberResolver resolver() {
        return resolver;
    }

    /** The event log. */
    public EventLog log() {
        return log;
    }

    /** The dispatcher. */
    public Dispatcher dispatcher() {
        return dispatcher;
    }

    /** The subscribers started on demand and stopped when idle (scale to zero). */
    public ProcessManager processes() {
        return processes;
    }

    /** Fault injection (disabled unless {@link BrokerConfig#faults()} configures some). */
    public FaultInjector faults() {
        return faults;
    }

    /** Admission control at the ingress (429 while too many deliveries are pending). */
    public Admission admission() {
        return admission;
    }

    /** The broker's meters ({@code GET /metrics}). */
    public BrokerMetrics metrics() {
        return metrics;
    }

    /** The configuration. */
    public BrokerConfig config() {
        return config;
    }

    /** The port the ingress listens on. */
    public int port() {
        return ingress.port();
    }

    /** The ingress base URL, e.g. {@code http://127.0.0.1:8080}. */
    public URI uri() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return URI.create("http://" + host + ":" + port());
    }

    /**
     * Accepts an event: records it, flags duplicates, and dispatches it to every matching Trigger in scope.
     *
     * @param origin {@code ingress} or {@code reply:<trigger>}
     * @param hops length of the reply chain that produced it (0 for ingress)
     */
    public EventLog.AcceptedEvent accept(CloudEvent event, Scope scope, String origin, int hops) {
        boolean duplicate = markSeen(event);
        List<Trigger> matching = new ArrayList<>();
        for (Trigger t : triggers) {
            if (scope.includes(t) && Filter.matches(t, event)) {
                matching.add(t);
            }
        }
        metrics.accepted(event.getType(), event.getSubject());
        EventLog.AcceptedEvent a = log.accepted(event, origin,
                matching.stream().map(Trigger::name).toList(), duplicate);
        for (Trigger t : matching) {
            if (hops > MAX_HOPS) {
                log.record(LogRecord.deadLettered(event, t.name(), "reply chain longer than " + MAX_HOPS
                        + " hops (do subscribers reply to their own events?)", t.subscriber().describe()).build());
            } else {
                dispatcher.dispatch(t, event, scope, hops);
            }
        }
        return a;
    }

    private void onReply(CloudEvent reply, Trigger from, Scope scope, int hops) {
        if (closed) {
            log.record(LogRecord.deadLettered(reply, from.name(), "reply arrived while the broker was shutting down",
                    "(broker ingress)").build());
            return;
        }
        accept(reply, scope, "reply:" + from.name(), hops);
    }

    private boolean markSeen(CloudEvent e) {
        String key = e.getSource() + "\u0000" + e.getId();
        Instant now = Instant.now();
        Instant horizon = now.minus(config.dedupeWindow());
        synchronized (seen) {
            Iterator<Map.Entry<String, Instant>> it = seen.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<String, Instant> oldest = it.next();
                if (oldest.getValue().isAfter(horizon) && seen.size() <= 100_000) {
                    break;
                }
                it.remove();
            }
            Instant prev = seen.putIfAbsent(key, now);
            return prev != null;
        }
    }

    /**
     * Graceful shutdown: stops accepting, lets in-flight deliveries finish within the grace period,
     * dead-letters the rest, and flushes the logs.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ingress.stop();
        admission.close();
        dispatcher.shutdown(config.shutdownGrace());
        faults.close();
        processes.close();
        try {
            log.close();
        } catch (IOException e) {
            System.err.println("cannot close broker logs: " + e.getMessage());
        }
    }
}
