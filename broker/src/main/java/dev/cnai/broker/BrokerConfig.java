package dev.cnai.broker;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Settings of a {@link LocalBroker}.
 *
 * @param host address to bind the ingress to
 * @param port ingress port (0 = any free port)
 * @param triggersDir directory scanned recursively for Trigger manifests
 * @param dataDir where {@code events.jsonl} and {@code dead-letter.jsonl} are written
 * @param subscribers service name → base URL
 * @param maxBody largest accepted request body in bytes (larger → 413)
 * @param deliveryTimeout per-attempt delivery timeout unless a Trigger sets {@code spec.delivery.timeout}
 * @param workers number of delivery threads
 * @param queueCapacity admission limit: while this many deliveries are pending (queued, in flight or waiting for a
 *        retry) the ingress refuses new events with 429 and {@code Retry-After}; deliveries already admitted (retries,
 *        replies, dead-letter posts) are always queued, so an accepted event is never dropped for lack of room
 * @param dedupeWindow how long a (source, id) pair is remembered to flag duplicates
 * @param shutdownGrace how long in-flight deliveries may run on shutdown
 * @param memoryEvents how many accepted events {@code GET /events} keeps in memory
 * @param scaleToZero subscribers the broker starts on demand and stops when idle (none by default)
 * @param faults fault injection for development ({@link Faults#NONE}, off, by default)
 * @param replicas more base URLs of a subscriber (service name → the URLs after its first): deliveries to it go to
 *        its URLs in turn, as Knative spreads them over a Service's pods (a retry goes to the next one)
 */
public record BrokerConfig(String host, int port, Path triggersDir, Path dataDir, Map<String, URI> subscribers,
        int maxBody, Duration deliveryTimeout, int workers, int queueCapacity, Duration dedupeWindow,
        Duration shutdownGrace, int memoryEvents, ScaleToZero scaleToZero, Faults faults,
        Map<String, List<URI>> replicas) {

    /** Knative's practical event size limit, used as the default body limit. */
    public static final int DEFAULT_MAX_BODY = 1024 * 1024;

    /** Validates and copies. */
    public BrokerConfig {
        subscribers = Map.copyOf(subscribers);
        replicas = replicas == null ? Map.of() : Map.copyOf(replicas);
        for (String name : replicas.keySet()) {
            if (!subscribers.containsKey(name)) {
                throw new IllegalArgumentException("replicas of '" + name + "' but no subscriber of that name");
            }
        }
        scaleToZero = scaleToZero == null ? ScaleToZero.NONE : scaleToZero;
        faults = faults == null ? Faults.NONE : faults;
        if (maxBody <= 0 || workers <= 0 || queueCapacity <= 0 || memoryEvents <= 0) {
            throw new IllegalArgumentException("maxBody, workers, queueCapacity and memoryEvents must be positive");
        }
    }

    /** Defaults: 127.0.0.1:8080, triggers from {@code knative/}, data in {@code .cnai/broker}, 60 s timeout. */
    public static BrokerConfig defaults() {
        return builder().build();
    }

    /** A builder that starts from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from these settings. */
    public Builder toBuilder() {
        return new Builder().host(host).port(port).triggersDir(triggersDir).dataDir(dataDir).subscribers(subscribers)
                .maxBody(maxBody).deliveryTimeout(deliveryTimeout).workers(workers).queueCapacity(queueCapacity)
                .dedupeWindow(dedupeWindow).shutdownGrace(shutdownGrace).memoryEvents(memoryEvents)
                .scaleToZero(scaleToZero).faults(faults).replicas(replicas);
    }

    /** Mutable builder of a {@link BrokerConfig}; {@link #build()} validates. Unset values are the defaults. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8080;
        private Path triggersDir = Path.of("knative");
        private Path dataDir = Path.of(".cnai", "broker");
        private Map<String, URI> subscribers = Map.of();
        private Map<String, List<URI>> replicas = Map.of();
        private int maxBody = DEFAULT_MAX_BODY;
        private Duration deliveryTimeout = Duration.ofSeconds(60);
        private int workers = 16;
        private int queueCapacity = 10_000;
        private Duration dedupeWindow = Duration.ofMinutes(10);
        private Duration shutdownGrace = Duration.ofSeconds(5);
        private int memoryEvents = 100_000;
        private ScaleToZero scaleToZero = ScaleToZero.NONE;
        private Faults faults = Faults.NONE;

        private Builder() {
        }

        /** Address to bind. */
        public Builder host(String v) {
            host = v;
            return this;
        }

        /** Ingress port (0 = any free port). */
        public Builder port(int v) {
            port = v;
            return this;
        }

        /** Directory of Trigger manifests. */
        public Builder triggersDir(Path v) {
            triggersDir = v;
            return this;
        }

        /** Where the logs are written. */
        public Builder dataDir(Path v) {
            dataDir = v;
            return this;
        }

        /** Service name → base URL. */
        public Builder subscribers(Map<String, URI> v) {
            subscribers = v;
            return this;
        }

        /** Service name → its further base URLs (replicas), each name also a subscriber. */
        public Builder replicas(Map<String, List<URI>> v) {
            replicas = v;
            return this;
        }

        /** Largest accepted body in bytes. */
        public Builder maxBody(int v) {
            maxBody = v;
            return this;
        }

        /** Per-attempt delivery timeout. */
        public Builder deliveryTimeout(Duration v) {
            deliveryTimeout = v;
            return this;
        }

        /** Delivery threads. */
        public Builder workers(int v) {
            workers = v;
            return this;
        }

        /** Admission limit (pending deliveries at which the ingress answers 429). */
        public Builder queueCapacity(int v) {
            queueCapacity = v;
            return this;
        }

        /** How long (source, id) pairs are remembered. */
        public Builder dedupeWindow(Duration v) {
            dedupeWindow = v;
            return this;
        }

        /** How long in-flight deliveries may run on shutdown. */
        public Builder shutdownGrace(Duration v) {
            shutdownGrace = v;
            return this;
        }

        /** Accepted events kept in memory for {@code GET /events}. */
        public Builder memoryEvents(int v) {
            memoryEvents = v;
            return this;
        }

        /** Subscribers started on demand ({@link ScaleToZero#NONE} for none). */
        public Builder scaleToZero(ScaleToZero v) {
            scaleToZero = v;
            return this;
        }

        /** Fault injection ({@link Faults#NONE} for none). */
        public Builder faults(Faults v) {
            faults = v;
            return this;
        }

        /**
         * The validated settings.
         *
         * @throws IllegalArgumentException when a count is not positive
         */
        public BrokerConfig build() {
            return new BrokerConfig(host, port, triggersDir, dataDir, subscribers, maxBody, deliveryTimeout, workers,
                    queueCapacity, dedupeWindow, shutdownGrace, memoryEvents, scaleToZero, faults, replicas);
        }
    }
}
