package dev.cnai.broker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * The broker's meters, in the {@link MeterRegistry} it is given; {@link Ingress} serves them as Prometheus text at
 * {@value #PATH} when that registry is a {@link PrometheusMeterRegistry}. Names are dotted and lower case (Micrometer
 * renders {@code cnai.broker.deliveries} as {@code cnai_broker_deliveries_total}); tags are low-cardinality: the
 * Trigger, the event type, the function, an outcome from a closed set. Every meter has a description, which
 * becomes its Prometheus {@code # HELP}.
 */
public final class BrokerMetrics {

    /** Where {@link Ingress} serves the Prometheus text. */
    public static final String PATH = "/metrics";

    /** How one delivery attempt to a Trigger's subscriber ended ({@code outcome} tag of the deliveries counter). */
    public enum Outcome {
        /** The subscriber answered 2xx. */
        DELIVERED,
        /** The attempt failed retryably and another one is scheduled. */
        RETRIED,
        /** The subscriber answered with a status that is not retried (e.g. 400): dead-lettered without retries. */
        REJECTED,
        /** Retries exhausted, not sendable, subscriber not resolvable or shutting down: dead-lettered. */
        DEAD_LETTERED;

        /** The tag value: lower case, hyphenated. */
        public String tag() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Why the ingress answered 429 ({@code reason} tag of the admission counter). */
    public enum Refusal {
        /** Pending deliveries at the queue capacity. */
        OVERLOADED,
        /** The ingress threads' backlog of event posts was full. */
        INGRESS_BUSY;

        /** The tag value: lower case, hyphenated. */
        public String tag() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final MeterRegistry registry;
    private final RunsInFlight runs = new RunsInFlight(RunsInFlight.REMEMBERED);

    /**
     * Meters in {@code registry}. The 429 counter of each {@link Refusal} and the runs-in-flight gauge are registered
     * here, at 0, so that a clean run exports them too (a query over them finds a series, not nothing).
     */
    public BrokerMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Refusal r : Refusal.values()) {
            admissionCounter(r);
        }
        Gauge.builder("cnai.broker.runs.in.flight", runs, RunsInFlight::count).strongReference(true)
                .description("Pipeline runs (event subject) seen started and not yet registered, rejected or failed")
                .register(registry);
    }

    /** Meters in a new Prometheus registry (what {@code broker serve} uses). */
    public static BrokerMetrics prometheus() {
        return new BrokerMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /** Meters that go nowhere (a composite registry with no registries in it), for embedders and tests. */
    public static BrokerMetrics none() {
        return new BrokerMetrics(new io.micrometer.core.instrument.composite.CompositeMeterRegistry());
    }

    /** The registry the meters are in. */
    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition (format 0.0.4), or null when the registry is not a Prometheus one. */
    public String scrape() {
        return registry instanceof PrometheusMeterRegistry p ? p.scrape() : null;
    }

    /** An event of {@code type} entered the broker (from the ingress or as a reply). */
    void accepted(String type, String subject) {
        Counter.builder("cnai.broker.events.accepted").description("Events the broker accepted, by CloudEvent type")
                .tag("type", type == null ? "" : type).register(registry).increment();
        runs.observe(type, subject);
    }

    /** Pipeline runs in flight now (what the {@code cnai.broker.runs.in.flight} gauge reads). */
    int runsInFlight() {
        return runs.count();
    }

    /** One delivery attempt to {@code trigger}'s subscriber ended with {@code outcome}. */
    void delivery(String trigger, Outcome outcome) {
        Counter.builder("cnai.broker.deliveries")
                .description("Delivery attempts to Trigger subscribers, by Trigger and outcome")
                .tag("trigger", trigger).tag("outcome", outcome.tag()).register(registry).increment();
    }

    /** A delivery attempt to {@code trigger}'s subscriber that got an answer took {@code millis}. */
    void deliveryTime(String trigger, long millis) {
        Timer.builder("cnai.broker.delivery.duration")
                .description("Time from sending an event to a Trigger's subscriber until its answer, by Trigger")
                .tag("trigger", trigger).publishPercentileHistogram().register(registry)
                .record(Duration.ofMillis(millis));
    }

    /** The ingress refused an event with 429. */
    void admissionRejected(Refusal why) {
        admissionCounter(why).increment();
    }

    private Counter admissionCounter(Refusal why) {
        return Counter.builder("cnai.broker.admission.rejected")
                .description("Events refused at the ingress with 429 Too Many Requests, by reason")
                .tag("reason", why.tag()).register(registry);
    }

    /** Registers {@code trigger}'s dead-letter counter at 0, so that it is exported before its first dead letter. */
    void trigger(String trigger) {
        deadLetters(trigger);
    }

    /** An event was dead-lettered (written to {@code dead-letter.jsonl}) for {@code trigger}. */
    void deadLetter(String trigger) {
        deadLetters(trigger).increment();
    }

    private Counter deadLetters(String trigger) {
        return Counter.builder("cnai.broker.dead.letters")
                .description("Events dead-lettered (written to dead-letter.jsonl), by Trigger")
                .tag("trigger", trigger == null ? "" : trigger).register(registry);
    }

    /** Registers the cold-start counter and timer of on-demand {@code function} at 0, before its first start. */
    void onDemand(String function) {
        coldStarts(function);
        coldStartTimer(function);
    }

    /** The broker started {@code function} from zero (first delivery or activator request) in {@code millis}. */
    void coldStart(String function, long millis) {
        coldStarts(function).increment();
        coldStartTimer(function).record(Duration.ofMillis(millis));
    }

    private Counter coldStarts(String function) {
        return Counter.builder("cnai.broker.cold.starts")
                .description("Scale-from-zero starts of on-demand functions, by function")
                .tag("function", function).register(registry);
    }

    private Timer coldStartTimer(String function) {
        return Timer.builder("cnai.broker.cold.start.duration")
                .description("Time from spawning an on-demand function until its health check answers 200")
                .tag("function", function).register(registry);
    }

    /**
     * Gauges over the dispatcher's current work and the admission limit. Held strongly: Micrometer keeps a gauge's
     * state object weakly by default, and these suppliers are method references nothing else holds (a collected one
     * reads NaN).
     */
    void queue(IntSupplier pending, IntSupplier queued, IntSupplier inFlight, int capacity) {
        Gauge.builder("cnai.broker.queue.depth", pending, IntSupplier::getAsInt).strongReference(true)
                .description("Deliveries not yet finished: queued, in flight or waiting for a retry").register(registry);
        Gauge.builder("cnai.broker.queue.waiting", queued, IntSupplier::getAsInt).strongReference(true)
                .description("Deliveries waiting for a free delivery worker").register(registry);
        Gauge.builder("cnai.broker.in.flight", inFlight, IntSupplier::getAsInt).strongReference(true)
                .description("Deliveries being sent right now").register(registry);
        Gauge.builder("cnai.broker.queue.capacity", () -> capacity).strongReference(true)
                .description("Pending deliveries at which the ingress starts answering 429").register(registry);
    }
}
