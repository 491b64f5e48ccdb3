package dev.cnai.function;

import dev.cnai.errors.CnaiException;
import dev.cnai.errors.ErrorKind;
import dev.cnai.events.EventCodec;
import dev.cnai.events.OutgoingEvent;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.http.HttpMessageFactory;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Posts events to the broker ingress named by {@code K_SINK} in CloudEvents HTTP binary mode (the
 * CloudEvents SDK's HTTP binding). A failed post throws, so the input event is answered with 5xx and
 * redelivered; since event ids are deterministic, the re-emitted events deduplicate downstream.
 */
@ApplicationScoped
public class EventSink {
    private static final Logger LOG = Logger.getLogger(EventSink.class);

    private final FunctionConfig config;
    private final MeterRegistry metrics;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public EventSink(FunctionConfig config, MeterRegistry metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    public void emitAll(List<OutgoingEvent> events) {
        for (OutgoingEvent e : events) {
            emit(e);
        }
    }

    public void emit(OutgoingEvent e) {
        String sink = config.sink().url().orElseThrow(() -> new CnaiException(ErrorKind.UNAVAILABLE,
                "cannot emit " + e.type() + ": no event sink configured (set K_SINK to the broker ingress URL)"));
        CloudEvent ce = toCloudEvent(e);
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(sink)).timeout(config.sink().timeout());
        AtomicReference<byte[]> body = new AtomicReference<>(new byte[0]);
        HttpMessageFactory.createWriter(req::header, body::set).writeBinary(ce);
        try {
            HttpResponse<String> resp = http.send(req.POST(HttpRequest.BodyPublishers.ofByteArray(body.get())).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() / 100 != 2) {
                throw new CnaiException(ErrorKind.UNAVAILABLE, "event sink " + sink + " answered " + resp.statusCode()
                        + " to " + e.type() + ": " + resp.body());
            }
        } catch (java.io.IOException ex) {
            throw new CnaiException(ErrorKind.UNAVAILABLE, "cannot reach event sink " + sink + ": " + ex.getMessage(), ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new CnaiException(ErrorKind.UNAVAILABLE, "interrupted while emitting " + e.type(), ex);
        }
        metrics.counter("cnai.events.emitted", "function", config.function(), "type", e.type()).increment();
        LOG.debugf("emitted %s %s", e.type(), e.id());
    }

    /** The CloudEvent form of an outgoing event. */
    public static CloudEvent toCloudEvent(OutgoingEvent e) {
        return CloudEventBuilder.v1()
                .withId(e.id())
                .withSource(URI.create(e.source()))
                .withType(e.type())
                .withSubject(e.subject())
                .withDataContentType("application/json")
                .withData(EventCodec.encode(e.data()))
                .build();
    }
}
