package dev.cnai.broker;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
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
 */
public record BrokerConfig(String host, int port, Path triggersDir, Path dataDir, Map<String, URI> subscribers,
        int maxBody, Duration deliveryTimeout, int workers, int queueCapacity, Duration dedupeWindow,
        Duration shutdownGrace, int memoryEvents, ScaleToZero scaleToZero, Faults faults) {

    /** Knative's practical event size limit, used as the default body limit. */
    public static final int DEFAULT_MAX_BODY = 1024 * 1024;

    /** Validates and copies. */
    public BrokerConfig {
        subscribers = Map.copyOf(subscribers);
        scaleToZero = scaleToZero == null ? ScaleToZero.NONE : scaleToZero;
        faults = faults == null ? Faults.NONE : faults;
        if (maxBody <= 0 || workers <= 0 || queueCapacity <= 0 || memoryEvents <= 0) {
            throw new IllegalArgumentException("maxBody, workers, queueCapacity and memoryEvents must be positive");
        }
    }

    /** The settings as they were before fault injection (no faults). */
    public BrokerConfig(String host, int port, Path triggersDir, Path dataDir, Map<String, URI> subscribers,
            int maxBody, Duration deliveryTimeout, int workers, int queueCapacity, Duration dedupeWindow,
            Duration shutdownGrace, int memoryEvents, ScaleToZero scaleToZero) {
        this(host, port, triggersDir, dataDir, subscribers, maxBody, deliveryTimeout, workers, queueCapacity,
                dedupeWindow, shutdownGrace, memoryEvents, scaleToZero, Faults.NONE);
    }

    /** Defaults: 127.0.0.1:8080, triggers from {@code knative/}, data in {@code .cnai/broker}, 60 s timeout. */
    public static BrokerConfig defaults() {
        return new BrokerConfig("127.0.0.1", 8080, Path.of("knative"), Path.of(".cnai", "broker"), Map.of(),
                DEFAULT_MAX_BODY, Duration.ofSeconds(60), 16, 10_000, Duration.ofMinutes(10), Duration.ofSeconds(5),
                100_000, ScaleToZero.NONE, Faults.NONE);
    }

    /** Copy with another port. */
    public BrokerConfig withPort(int p) {
        return new BrokerConfig(host, p, triggersDir, dataDir, subscribers, maxBody, deliveryTimeout, workers,
                queueCapacity, dedupeWindow, shutdownGrace, memoryEvents, scaleToZero, faults);
    }

    /** Copy with another triggers directory. */
    public BrokerConfig withTriggersDir(Path d) {
        return new BrokerConfig(host, port, d, dataDir, subscribers, maxBody, deliveryTimeout, workers,
                queueCapacity, dedupeWindow, shutdownGrace, memoryEvents, scaleToZero, faults);
    }

    /** Copy with another data directory. */
    public BrokerConfig withDataDir(Path d) {
        return new BrokerConfig(host, port, triggersDir, d, subscribers, maxBody, deliveryTimeout, workers,
                queueCapacity, dedupeWindow, shutdownGrace, memoryEvents, scaleToZero, faults);
    }

    /** Copy with another subscriber map. */
    public BrokerConfig withSubscribers(Map<String, URI> s) {
        return new BrokerConfig(host, port, triggersDir, dataDir, s, maxBody, deliveryTimeout, workers,
                queueCapacity, dedupeWindow, shutdownGrace, memoryEvents, scaleToZero, faults);
    }

    /** Copy with another body limit. */
    public BrokerConfig withMaxBody(int m) {
        return new BrokerConfig(host, port, triggersDir, dataDir, subscribers, m, deliveryTimeout, workers,
                queueCapacity, dedupeWindow, shutdownGrace, memoryEvents, scaleToZero, faults);
    }

    /** Copy with another delivery timeout. */
    public BrokerConfig withDeliveryTimeout(Duration t) {
        return new BrokerConfig(host, port, triggersDir, dataDir, subscribers, maxBody, t, workers,
                queueCapacity, dedupeWindow, shutdownGrace, memoryEvents, scaleToZero, faults);
    }

    /** Copy with another worker count. */
    public BrokerConfig withWorkers(int w) {
        return new BrokerConfig(host, port, triggersDir, dataDir, subscribers, maxBody, deliveryTimeout, w,
                queueCapacity, dedupeWindow, shutdownGrace, memoryEvents, scaleToZero, faults);
    }

    /** Copy with another host. */
    public BrokerConfig withHost(String h) {
        return new BrokerConfig(h, port, triggersDir, dataDir, subscribers, maxBody, deliveryTimeout, workers,
                queueCapacity, dedupeWindow, shutdownGrace, memoryEvents, scaleToZero, faults);
    }

    /** Copy with another duplicate-detection window. */
    public BrokerConfig withDedupeWindow(Duration w) {
        return new BrokerConfig(host, port, triggersDir, dataDir, subscribers, maxBody, deliveryTimeout, workers,
                queueCapacity, w, shutdownGrace, memoryEvents, scaleToZero, faults);
    }

    /** Copy with another shutdown grace period. */
    public BrokerConfig withShutdownGrace(Duration g) {
        return new BrokerConfig(host, port, triggersDir, dataDir, subscribers, maxBody, deliveryTimeout, workers,
                queueCapacity, dedupeWindow, g, memoryEvents, scaleToZero, faults);
    }

    /** Copy with another scale-to-zero setting. */
    public BrokerConfig withScaleToZero(ScaleToZero s) {
        return new BrokerConfig(host, port, triggersDir, dataDir, subscribers, maxBody, deliveryTimeout, workers,
                queueCapacity, dedupeWindow, shutdownGrace, memoryEvents, s, faults);
    }

    /** Copy with another admission limit (pending deliveries at which the ingress answers 429). */
    public BrokerConfig withQueueCapacity(int c) {
        return new BrokerConfig(host, port, triggersDir, dataDir, subscribers, maxBody, deliveryTimeout, workers,
                c, dedupeWindow, shutdownGrace, memoryEvents, scaleToZero, faults);
    }

    /** Copy with another number of accepted events kept in memory for {@code GET /events}. */
    public BrokerConfig withMemoryEvents(int m) {
        return new BrokerConfig(host, port, triggersDir, dataDir, subscribers, maxBody, deliveryTimeout, workers,
                queueCapacity, dedupeWindow, shutdownGrace, m, scaleToZero, faults);
    }

    /** Copy with another fault-injection setting ({@link Faults#NONE} for none). */
    public BrokerConfig withFaults(Faults f) {
        return new BrokerConfig(host, port, triggersDir, dataDir, subscribers, maxBody, deliveryTimeout, workers,
                queueCapacity, dedupeWindow, shutdownGrace, memoryEvents, scaleToZero, f);
    }
}
