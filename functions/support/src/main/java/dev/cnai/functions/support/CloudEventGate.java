package dev.cnai.functions.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cnai.errors.CnaiException;
import dev.cnai.events.EventCodec;
import dev.cnai.events.EventData;
import dev.cnai.events.EventException;
import dev.cnai.events.TraceContext;
import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import io.cloudevents.SpecVersion;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.jackson.JsonCloudEventData;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.rw.CloudEventRWException;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Checks every CloudEvent before Funqy sees it, and turns every failure into a JSON error a person can
 * act on. Binary and structured mode are read with the CloudEvents SDK's HTTP binding (as the broker and
 * {@link EventSink} do), its exceptions mapped onto {@link EventException}; a plain {@code application/json}
 * POST is treated as an event of this function's first accepted type. Rejections: missing attribute, unsupported spec
 * version or content type, unknown type, oversized body, invalid JSON, data failing its schema.
 */
@ApplicationScoped
public class CloudEventGate {
    private static final Logger LOG = Logger.getLogger(CloudEventGate.class);
    private static final int ORDER = -1000;
    /** The SDK's wording for a missing required attribute: builder (binary mode) and JSON format (structured). */
    private static final Pattern MISSING =
            Pattern.compile("Attribute '(\\w+)' cannot be null|Missing mandatory (\\w+) attribute");

    private final FunctionConfig config;
    private final FunctionMetrics metrics;
    private final FailureReporter failures;
    private final EnergyRecorder energy;

    public CloudEventGate(FunctionConfig config, FunctionMetrics metrics, FailureReporter failures,
            EnergyRecorder energy) {
        this.config = config;
        this.metrics = metrics;
        this.failures = failures;
        this.energy = energy;
    }

    void install(@Observes Router router) {
        // before any body handler (Quarkus's runs at ROUTE_ORDER_BODY_HANDLER): refused before the body is buffered
        router.post("/").order(RouteConstants.ROUTE_ORDER_HEADERS).handler(this::checkDeclaredSize);
        router.post("/").order(ORDER).handler(this::check);
        router.route().order(ORDER).failureHandler(failures::handle);
    }

    void logStart(@Observes StartupEvent ev) {
        LOG.infof("%s accepts %s; events go to %s", config.function(), config.accepts(),
                config.sink().url().orElse("(no K_SINK: fan-out disabled)"));
    }

    /** Refuses a {@code Content-Length} over {@code cnai.events.max-bytes} with 413 and the limit. */
    private void checkDeclaredSize(RoutingContext ctx) {
        long size = DeclaredSize.of(ctx);
        if (size > config.events().maxBytes()) {
            EventException e = EventException.tooLarge(size, config.events().maxBytes());
            metrics.invocation("invalid", ErrorMapping.status(e.kind()), System.nanoTime());
            FailureReporter.respond(ctx, ErrorMapping.status(e.kind()), e.getMessage());
        } else {
            ctx.next();
        }
    }

    private void check(RoutingContext ctx) {
        long start = System.nanoTime();
        try {
            IncomingEvent in = accept(ctx);
            ctx.put(IncomingEvent.KEY, in);
            long startedAt = System.currentTimeMillis();
            var measurement = energy.start();
            ctx.addEndHandler(v -> {
                metrics.invocation(in.type(), ctx.response().getStatusCode(), start);
                energy.finish(measurement, in, ctx.response().getStatusCode(), startedAt);
            });
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
        boolean binary = h.names().stream().anyMatch(n -> n.regionMatches(true, 0, "ce-", 0, 3));
        boolean structured = contentType != null && contentType.startsWith(JsonFormat.CONTENT_TYPE);
        if (binary || structured) {
            return fromEvent(read(h::forEach, body, structured), structured);
        }
        if (contentType != null && contentType.startsWith("application/cloudevents-batch+json")) {
            throw EventException.unsupportedContentType(contentType + " (batch mode is not supported; send one event per request)");
        }
        if (contentType != null && contentType.startsWith("application/json")) {
            String type = config.accepts().get(0);
            String id = UUID.randomUUID().toString();
            EventException.checkAttribute(TraceContext.TRACEPARENT, h.get(TraceContext.TRACEPARENT),
                    config.events().maxAttributeLength());
            EventException.checkAttribute(TraceContext.TRACESTATE, h.get(TraceContext.TRACESTATE),
                    config.events().maxAttributeLength());
            EventData data = decode(type, body);
            h.set("ce-id", id).set("ce-source", "/http").set("ce-type", type).set("ce-specversion", "1.0");
            if (data.runId() != null) {
                h.set("ce-subject", data.runId());
            }
            return new IncomingEvent(type, id, "/http", data.runId(), data,
                    TraceContext.of(h.get(TraceContext.TRACEPARENT), h.get(TraceContext.TRACESTATE)).orElse(null));
        }
        throw EventException.unsupportedContentType(String.valueOf(contentType));
    }

    /** Reads binary or structured mode with the CloudEvents SDK's HTTP binding. */
    static CloudEvent read(Consumer<BiConsumer<String, String>> forEachHeader, byte[] body, boolean structured) {
        try {
            return HttpMessageFactory.createReader(forEachHeader, body).toEvent();
        } catch (RuntimeException e) {
            throw rejection(e, structured, body);
        }
    }

    /** The SDK's view of an event, checked as this function needs it: spec 1.0, the required attributes, JSON data. */
    private IncomingEvent fromEvent(CloudEvent ev, boolean structured) {
        checkAttributes(ev, config.events().maxAttributeLength());
        String type = required(ev.getType(), "type");
        String id = required(ev.getId(), "id");
        String source = required(ev.getSource() == null ? null : ev.getSource().toString(), "source");
        if (ev.getSpecVersion() != SpecVersion.V1) {
            throw EventException.unsupportedSpecVersion(ev.getSpecVersion().toString());
        }
        String dct = ev.getDataContentType();
        CloudEventData data = ev.getData();
        if (structured) {
            boolean base64 = data != null && !(data instanceof JsonCloudEventData);
            if (base64 || (dct != null && !dct.startsWith("application/json"))) {
                throw EventException.unsupportedContentType(dct == null ? "data_base64" : dct);
            }
        } else if (dct == null || !dct.startsWith("application/json")) {
            throw EventException.unsupportedContentType(String.valueOf(dct));
        }
        return new IncomingEvent(type, id, source, ev.getSubject(), decode(type, data == null ? new byte[0] : data.toBytes()),
                TraceContext.of(extension(ev, TraceContext.TRACEPARENT), extension(ev, TraceContext.TRACESTATE)).orElse(null));
    }

    /** Refuses an event with an attribute or extension value over {@code max} characters. */
    static void checkAttributes(CloudEvent ev, int max) {
        for (String name : ev.getAttributeNames()) {
            Object v = ev.getAttribute(name);
            EventException.checkAttribute(name, v == null ? null : v.toString(), max);
        }
        for (String name : ev.getExtensionNames()) {
            Object v = ev.getExtension(name);
            EventException.checkAttribute(name, v == null ? null : v.toString(), max);
        }
    }

    private static String extension(CloudEvent ev, String name) {
        Object v = ev.getExtension(name);
        return v == null ? null : v.toString();
    }

    /** Maps what the SDK threw onto the {@link EventException} a sender can act on. */
    static EventException rejection(RuntimeException e, boolean structured, byte[] body) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (message(t).startsWith("Invalid specversion: ")) { // SpecVersion.parse, whichever way it is wrapped
                return EventException.unsupportedSpecVersion(afterColon(message(t)));
            }
            if (t instanceof CloudEventRWException rw && rw.getKind() != CloudEventRWException.CloudEventRWExceptionKind.OTHER) {
                return switch (rw.getKind()) {
                    case INVALID_SPEC_VERSION -> EventException.unsupportedSpecVersion(afterColon(message(rw)));
                    case UNKNOWN_ENCODING -> EventException.missingAttribute("specversion");
                    default -> EventException.invalid("invalid CloudEvent: " + message(rw));
                };
            }
            Matcher missing = MISSING.matcher(message(t));
            if ((t instanceof IllegalStateException || t instanceof JsonProcessingException) && missing.find()) {
                return EventException.missingAttribute(missing.group(1) != null ? missing.group(1) : missing.group(2));
            }
        }
        if (structured) {
            JsonNode ev = EventCodec.parse("structured CloudEvent", body); // throws the bad-JSON message
            if (!ev.isObject()) {
                return EventException.invalid("a structured-mode CloudEvent must be a JSON object");
            }
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return EventException.invalid("invalid CloudEvent: " + message(root));
    }

    private static String message(Throwable t) {
        String m = t instanceof JsonProcessingException j ? j.getOriginalMessage() : t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    private static String afterColon(String message) {
        int i = message == null ? -1 : message.indexOf(": ");
        return i < 0 ? String.valueOf(message) : message.substring(i + 2);
    }

    private EventData decode(String type, byte[] data) {
        if (!config.accepts().contains(type)) {
            throw EventException.unsupportedType(type, config.accepts());
        }
        return EventCodec.decode(type, data);
    }

    private static String required(String value, String attribute) {
        if (value == null || value.isBlank()) {
            throw EventException.missingAttribute(attribute);
        }
        return value;
    }
}
