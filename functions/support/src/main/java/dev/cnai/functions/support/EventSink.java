package dev.cnai.functions.support;

import dev.cnai.errors.CnaiException;
import dev.cnai.errors.ErrorKind;
import dev.cnai.events.EventCodec;
import dev.cnai.events.EventTypes;
import dev.cnai.events.OutgoingEvent;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.http.HttpMessageFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Posts events to the broker ingress named by {@code K_SINK} in CloudEvents HTTP binary mode (the
 * CloudEvents SDK's HTTP binding). A broker that pushes back (429 or 503, honouring {@code Retry-After}) or cannot
 * be reached is retried with exponential backoff until {@code cnai.sink.retry-deadline}; then, or on any other
 * non-2xx answer, emitting throws, so the input event is answered with 5xx and redelivered. Since event ids are
 * deterministic, the re-emitted events deduplicate downstream. An event's trace context
 * ({@link OutgoingEvent#trace()}) goes out as the Distributed Tracing extension ({@code ce-traceparent},
 * {@code ce-tracestate}).
 */
@ApplicationScoped
public class EventSink {
    private static final Logger LOG = Logger.getLogger(EventSink.class);

    /** First wait before posting again. */
    static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    /** Longest single wait, whatever {@code Retry-After} asks for. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final FunctionConfig config;
    private final MeterRegistry metrics;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public EventSink(FunctionConfig config, MeterRegistry metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    /** Emits the events in order; one retry deadline covers them all, so a fan-out cannot wait N times as long. */
    public void emitAll(List<OutgoingEvent> events) {
        long deadline = System.nanoTime() + config.sink().retryDeadline().toNanos();
        for (OutgoingEvent e : events) {
            emit(e, deadline);
        }
    }

    public void emit(OutgoingEvent e) {
        emit(e, System.nanoTime() + config.sink().retryDeadline().toNanos());
    }

    private void emit(OutgoingEvent e, long deadlineNanos) {
        String sink = config.sink().url().orElseThrow(() -> new CnaiException(ErrorKind.UNAVAILABLE,
                "cannot emit " + e.type() + ": no event sink configured (set K_SINK to the broker ingress URL)"));
        CloudEvent ce = toCloudEvent(e, source());
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(sink)).timeout(config.sink().timeout());
        AtomicReference<byte[]> body = new AtomicReference<>(new byte[0]);
        HttpMessageFactory.createWriter(req::header, body::set).writeBinary(ce);
        if (e.trace() != null) { // one hop to the broker: the HTTP trace headers carry the same context (CE spec)
            e.trace().attributes().forEach(req::header);
        }
        HttpRequest request = req.POST(HttpRequest.BodyPublishers.ofByteArray(body.get())).build();
        long started = System.nanoTime();
        long backoff = FIRST_BACKOFF.toMillis();
        for (int attempt = 1; ; attempt++) {
            String failure;
            Throwable cause = null;
            long wait;
            try {
                HttpResponse<String> resp = http.send(request, HttpResponse.BodyHandlers.ofString());
                int status = resp.statusCode();
                if (status / 100 == 2) {
                    break;
                }
                failure = "event sink " + sink + " answered " + status + " to " + e.type() + ": " + resp.body();
                if (status != 429 && status != 503) {
                    throw new CnaiException(ErrorKind.UNAVAILABLE, failure);
                }
                wait = retryAfterMillis(resp.headers().firstValue("Retry-After").orElse(null), backoff);
            } catch (java.io.IOException ex) {
                failure = "cannot reach event sink " + sink + ": "
                        + (ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage());
                cause = ex;
                wait = backoff;
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new CnaiException(ErrorKind.UNAVAILABLE, "interrupted while emitting " + e.type(), ex);
            }
            wait = Math.min(wait, MAX_BACKOFF.toMillis());
            if (System.nanoTime() + wait * 1_000_000 > deadlineNanos) {
                String why = failure + " (gave up after " + attempt + (attempt == 1 ? " attempt" : " attempts") + " in "
                        + (System.nanoTime() - started) / 1_000_000 + " ms; cnai.sink.retry-deadline="
                        + config.sink().retryDeadline() + ")";
                throw cause == null ? new CnaiException(ErrorKind.UNAVAILABLE, why)
                        : new CnaiException(ErrorKind.UNAVAILABLE, why, cause);
            }
            LOG.debugf("%s; retrying %s %s in %d ms (attempt %d)", failure, e.type(), e.id(), wait, attempt + 1);
            try {
                Thread.sleep(wait);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new CnaiException(ErrorKind.UNAVAILABLE, "interrupted while emitting " + e.type(), ex);
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
        }
        Counter.builder("cnai.events.emitted").description("CloudEvents this function posted to K_SINK, by type")
                .tag("function", config.function()).tag("type", e.type()).register(metrics).increment();
        LOG.debugf("emitted %s %s", e.type(), e.id());
    }

    /**
     * How long to wait before the next post: {@code Retry-After} when the sink sent one (seconds or an HTTP date),
     * else {@code backoff} with jitter (50..100 %), so that many refused senders do not all come back at once.
     */
    static long retryAfterMillis(String retryAfter, long backoff) {
        if (retryAfter != null && !retryAfter.isBlank()) {
            String v = retryAfter.trim();
            try {
                return Math.max(0, Long.parseLong(v) * 1000);
            } catch (NumberFormatException notSeconds) {
                try {
                    ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                    return Math.max(0, Duration.between(ZonedDateTime.now(at.getZone()), at).toMillis());
                } catch (DateTimeParseException notADate) {
                    // ignore a malformed header and back off as usual
                }
            }
        }
        return backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
    }

    /** The {@code source} of every event this function emits: {@code /cnai/<function>}, from its one configured name. */
    public String source() {
        return EventTypes.SOURCE_PREFIX + config.function();
    }

    /**
     * The Funqy reply form of an outgoing event, stamped with this function's {@link #source()} (sent back as the
     * HTTP response; the broker re-injects it).
     */
    @SuppressWarnings("unchecked")
    public <T> io.quarkus.funqy.knative.events.CloudEvent<T> reply(OutgoingEvent e) {
        return (io.quarkus.funqy.knative.events.CloudEvent<T>) io.quarkus.funqy.knative.events.CloudEventBuilder.create()
                .specVersion("1.0").id(e.id()).type(e.type()).source(source()).subject(e.subject())
                .extensions(e.trace() == null ? java.util.Map.of() : e.trace().attributes()).build(e.data());
    }

    /** The CloudEvent form of an outgoing event from {@code source}. */
    static CloudEvent toCloudEvent(OutgoingEvent e, String source) {
        CloudEventBuilder b = CloudEventBuilder.v1();
        if (e.trace() != null) {
            e.trace().attributes().forEach(b::withExtension);
        }
        return b.withId(e.id())
                .withSource(URI.create(source))
                .withType(e.type())
                .withSubject(e.subject())
                .withDataContentType("application/json")
                .withData(EventCodec.encode(e.data()))
                .build();
    }
}
