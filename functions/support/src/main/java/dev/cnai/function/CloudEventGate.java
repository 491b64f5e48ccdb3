package dev.cnai.function;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cnai.errors.CnaiException;
import dev.cnai.events.EventCodec;
import dev.cnai.events.EventData;
import dev.cnai.events.EventException;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Checks every CloudEvent before Funqy sees it, and turns every failure into a JSON error a person can
 * act on. Binary and structured mode are accepted; a plain {@code application/json} POST is treated as
 * an event of this function's first accepted type. Rejections: missing attribute, unsupported spec
 * version or content type, unknown type, oversized body, invalid JSON, data failing its schema.
 */
@ApplicationScoped
public class CloudEventGate {
    private static final Logger LOG = Logger.getLogger(CloudEventGate.class);
    private static final int ORDER = -1000;

    private final FunctionConfig config;
    private final FunctionMetrics metrics;
    private final FailureReporter failures;

    public CloudEventGate(FunctionConfig config, FunctionMetrics metrics, FailureReporter failures) {
        this.config = config;
        this.metrics = metrics;
        this.failures = failures;
    }

    void install(@Observes Router router) {
        router.post("/").order(ORDER).handler(this::check);
        router.route().order(ORDER).failureHandler(failures::handle);
    }

    void logStart(@Observes StartupEvent ev) {
        LOG.infof("%s accepts %s; events go to %s", config.function(), config.accepts(),
                config.sink().url().orElse("(no K_SINK: fan-out disabled)"));
    }

    private void check(RoutingContext ctx) {
        long start = System.nanoTime();
        try {
            IncomingEvent in = accept(ctx);
            ctx.put(IncomingEvent.KEY, in);
            ctx.addEndHandler(v -> metrics.invocation(in.type(), ctx.response().getStatusCode(), start));
            ctx.next();
        } catch (CnaiException e) {
            metrics.invocation("invalid", ErrorMapping.status(e.kind()), start);
            FailureReporter.respond(ctx, ErrorMapping.status(e.kind()), e.getMessage());
        }
    }

    private IncomingEvent accept(RoutingContext ctx) {
        MultiMap h = ctx.request().headers();
        String contentType = h.get("Content-Type");
        Buffer buf = ctx.body().buffer();
        byte[] body = buf == null ? new byte[0] : buf.getBytes();
        if (body.length > config.events().maxBytes()) {
            throw EventException.tooLarge(body.length, config.events().maxBytes());
        }
        if (h.names().stream().anyMatch(n -> n.regionMatches(true, 0, "ce-", 0, 3))) {
            String type = required(h.get("ce-type"), "type");
            String id = required(h.get("ce-id"), "id");
            String source = required(h.get("ce-source"), "source");
            specVersion(required(h.get("ce-specversion"), "specversion"));
            if (contentType == null || !contentType.startsWith("application/json")) {
                throw EventException.unsupportedContentType(String.valueOf(contentType));
            }
            return new IncomingEvent(type, id, source, h.get("ce-subject"), decode(type, body));
        }
        if (contentType != null && contentType.startsWith("application/cloudevents-batch+json")) {
            throw EventException.unsupportedContentType(contentType + " (batch mode is not supported; send one event per request)");
        }
        if (contentType != null && contentType.startsWith("application/cloudevents+json")) {
            JsonNode ev = EventCodec.parse("structured CloudEvent", body);
            if (!ev.isObject()) {
                throw EventException.invalid("a structured-mode CloudEvent must be a JSON object");
            }
            String type = required(text(ev, "type"), "type");
            String id = required(text(ev, "id"), "id");
            String source = required(text(ev, "source"), "source");
            specVersion(required(text(ev, "specversion"), "specversion"));
            String dct = text(ev, "datacontenttype");
            if (ev.has("data_base64") || (dct != null && !dct.startsWith("application/json"))) {
                throw EventException.unsupportedContentType(dct == null ? "data_base64" : dct);
            }
            byte[] data = ev.has("data") ? EventCodec.encode(ev.get("data")) : new byte[0];
            return new IncomingEvent(type, id, source, text(ev, "subject"), decode(type, data));
        }
        if (contentType != null && contentType.startsWith("application/json")) {
            String type = config.accepts().get(0);
            String id = UUID.randomUUID().toString();
            EventData data = decode(type, body);
            h.set("ce-id", id).set("ce-source", "/http").set("ce-type", type).set("ce-specversion", "1.0");
            if (data.runId() != null) {
                h.set("ce-subject", data.runId());
            }
            return new IncomingEvent(type, id, "/http", data.runId(), data);
        }
        throw EventException.unsupportedContentType(String.valueOf(contentType));
    }

    private EventData decode(String type, byte[] data) {
        if (!config.accepts().contains(type)) {
            throw EventException.unsupportedType(type, config.accepts());
        }
        return EventCodec.decode(type, data);
    }

    private static void specVersion(String v) {
        if (!"1.0".equals(v)) {
            throw EventException.invalid("CloudEvents specversion '" + v + "' is not supported; use 1.0");
        }
    }

    private static String required(String value, String attribute) {
        if (value == null || value.isBlank()) {
            throw EventException.missingAttribute(attribute);
        }
        return value;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
