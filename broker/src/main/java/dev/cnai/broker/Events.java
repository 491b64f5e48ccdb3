package dev.cnai.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.message.MessageReader;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.rw.CloudEventRWException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** CloudEvent helpers shared by the broker pieces: attribute maps, JSON forms, HTTP binary encoding, summaries. */
public final class Events {

    /** Shared Jackson mapper (thread-safe once configured). */
    public static final ObjectMapper JSON = new ObjectMapper();

    private static final JsonFormat FORMAT = new JsonFormat();

    /** Numeric data fields shown in one-line summaries, in display order. */
    private static final List<String> SUMMARY_FIELDS =
            List.of("round", "shard", "epoch", "trainLoss", "validationLoss", "validationAccuracy", "accuracy");

    private Events() {
    }

    /** Loads the classes of the JSON event format and the HTTP binding (called early, on a spare thread). */
    static void warmUp() {
        try {
            CloudEvent e = io.cloudevents.core.builder.CloudEventBuilder.v1().withId("warm-up")
                    .withSource(java.net.URI.create("/warm-up")).withType("warm-up")
                    .withDataContentType("application/json").withData("{}".getBytes(StandardCharsets.UTF_8))
                    .build();
            toJson(e);
            toBinary(e);
            read(Map.of("Content-Type", List.of(JsonFormat.CONTENT_TYPE)), FORMAT.serialize(e));
        } catch (RuntimeException ignored) {
            // only an optimisation: the same code runs (and reports) on the first real event
        }
    }

    /** An event encoded for HTTP binary mode: {@code ce-*} headers plus Content-Type, and the raw data. */
    public record BinaryMessage(Map<String, String> headers, byte[] body) {
    }

    /**
     * All context attributes and extensions of an event as strings, keyed by lower-case attribute name
     * (specversion, id, source, type, datacontenttype, dataschema, subject, time, then extensions).
     */
    public static Map<String, String> attributes(CloudEvent e) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("specversion", e.getSpecVersion().toString());
        m.put("id", e.getId());
        m.put("source", e.getSource().toString());
        m.put("type", e.getType());
        putIfPresent(m, "datacontenttype", e.getDataContentType());
        putIfPresent(m, "dataschema", e.getDataSchema());
        putIfPresent(m, "subject", e.getSubject());
        putIfPresent(m, "time", e.getTime());
        for (String name : e.getExtensionNames()) {
            putIfPresent(m, name, e.getExtension(name));
        }
        return m;
    }

    private static void putIfPresent(Map<String, String> m, String k, Object v) {
        if (v != null) {
            String text;
            if (v instanceof byte[] b) {
                text = java.util.Base64.getEncoder().encodeToString(b);
            } else if (v instanceof java.time.OffsetDateTime t) {
                text = io.cloudevents.types.Time.writeTime(t);
            } else {
                text = v.toString();
            }
            m.put(k, text);
        }
    }

    /**
     * The W3C trace id of the event's Distributed Tracing extension ({@code traceparent}), or null when it has none
     * or an invalid one: what a dead letter records so that it leads to the run's trace.
     */
    public static String traceId(CloudEvent e) {
        Object tp = e.getExtension("traceparent");
        if (tp == null) {
            return null;
        }
        java.util.regex.Matcher m = TRACEPARENT.matcher(tp.toString().strip());
        return m.matches() && !m.group(1).equals("0".repeat(32)) ? m.group(1) : null;
    }

    private static final java.util.regex.Pattern TRACEPARENT =
            java.util.regex.Pattern.compile("[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}");

    /** The structured-mode JSON form of an event ({@code application/cloudevents+json}). */
    public static JsonNode toJson(CloudEvent e) {
        try {
            return JSON.readTree(FORMAT.serialize(e));
        } catch (IOException ex) {
            throw new IllegalStateException("cannot serialise event " + e.getId(), ex);
        }
    }

    /** Parses one structured-mode JSON event. */
    public static CloudEvent fromJson(JsonNode node) {
        try {
            return FORMAT.deserialize(JSON.writeValueAsBytes(node));
        } catch (IOException ex) {
            throw new IllegalArgumentException("not a structured CloudEvent: " + ex.getMessage(), ex);
        }
    }

    /** True for {@code application/json}, {@code text/json} and any {@code +json} media type (or none at all). */
    public static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String ct = contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].trim();
        return ct.equals("application/json") || ct.equals("text/json") || ct.endsWith("+json");
    }

    /** The event's data as JSON, or null when it has no data or the data is not JSON. */
    public static JsonNode dataJson(CloudEvent e) {
        if (e.getData() == null) {
            return null;
        }
        String ct = e.getDataContentType();
        if (ct != null && !isJson(ct)) {
            return null;
        }
        try {
            return JSON.readTree(e.getData().toBytes());
        } catch (IOException ex) {
            return null;
        }
    }

    /** Encodes an event in HTTP binary content mode. */
    public static BinaryMessage toBinary(CloudEvent e) {
        Map<String, String> headers = new LinkedHashMap<>();
        byte[][] body = new byte[1][];
        HttpMessageFactory.createWriter(headers::put, b -> body[0] = b).writeBinary(e);
        return new BinaryMessage(headers, body[0] == null ? new byte[0] : body[0]);
    }

    /**
     * Reads an HTTP message (binary or structured mode) as a CloudEvent.
     *
     * @throws InvalidEventException with a message a person can act on when it is not a valid CloudEvent
     */
    public static CloudEvent read(Map<String, List<String>> headers, byte[] body) {
        MessageReader reader;
        try {
            reader = HttpMessageFactory.createReaderFromMultimap(headers, body);
        } catch (CloudEventRWException | IllegalArgumentException ex) {
            String ct = first(headers, "content-type");
            if (ct != null && ct.toLowerCase(Locale.ROOT).startsWith("application/cloudevents")) {
                throw new InvalidEventException("unsupported structured format '" + ct
                        + "': use Content-Type application/cloudevents+json");
            }
            String sv = first(headers, "ce-specversion");
            if (sv != null) {
                throw new InvalidEventException("unsupported ce-specversion '" + sv + "': use 1.0");
            }
            throw new InvalidEventException("not a CloudEvent: send binary mode (headers ce-specversion: 1.0, ce-id, "
                    + "ce-source, ce-type, and the data as the body) or structured mode "
                    + "(Content-Type: application/cloudevents+json with a JSON event as the body)");
        }
        CloudEvent event;
        try {
            event = reader.toEvent();
        } catch (RuntimeException ex) {
            throw new InvalidEventException("invalid CloudEvent: " + rootMessage(ex));
        }
        if (event.getId() == null || event.getId().isBlank()) {
            throw new InvalidEventException("invalid CloudEvent: attribute 'id' is missing or empty");
        }
        if (event.getType() == null || event.getType().isBlank()) {
            throw new InvalidEventException("invalid CloudEvent: attribute 'type' is missing or empty");
        }
        if (event.getSource() == null || event.getSource().toString().isEmpty()) {
            throw new InvalidEventException("invalid CloudEvent: attribute 'source' is missing or empty");
        }
        if (event.getData() != null && event.getData().toBytes().length > 0 && isJson(event.getDataContentType())) {
            try {
                JSON.readTree(event.getData().toBytes());
            } catch (com.fasterxml.jackson.core.JacksonException ex) {
                throw new InvalidEventException("data is not valid JSON although datacontenttype is '"
                        + event.getDataContentType() + "': " + ex.getOriginalMessage());
            } catch (IOException ex) {
                throw new InvalidEventException("data cannot be read: " + ex.getMessage());
            }
        }
        return event;
    }

    /** True when an HTTP response (or request) carries a CloudEvent: ce-specversion or a cloudevents media type. */
    public static boolean carriesEvent(Map<String, List<String>> headers) {
        String sv = first(headers, "ce-specversion");
        String ct = first(headers, "content-type");
        return sv != null || (ct != null && ct.toLowerCase(Locale.ROOT).startsWith("application/cloudevents+"));
    }

    /** First value of a header, matched case-insensitively. */
    public static String first(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> h : headers.entrySet()) {
            if (h.getKey() != null && h.getKey().equalsIgnoreCase(name) && !h.getValue().isEmpty()) {
                return h.getValue().get(0);
            }
        }
        return null;
    }

    /**
     * A compact summary of interesting numeric data fields, e.g. {@code round 1/3 shard 2/4 trainLoss 0.4123};
     * empty when there are none. Looks at top-level fields and one level of nested objects (e.g. test.accuracy).
     */
    public static String summary(JsonNode data) {
        if (data == null || !data.isObject()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (String f : SUMMARY_FIELDS) {
            JsonNode v = data.get(f);
            if (v == null || !v.isNumber()) {
                v = null;
                var it = data.fields();
                while (it.hasNext() && v == null) {
                    JsonNode child = it.next().getValue();
                    if (child.isObject() && child.path(f).isNumber()) {
                        v = child.get(f);
                    }
                }
            }
            if (v == null) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(f).append(' ').append(number(v));
            String total = f.equals("round") ? "rounds" : f.equals("shard") ? "shardCount" : null;
            if (total != null && data.path(total).isNumber()) {
                sb.append('/').append(number(data.get(total)));
            }
        }
        return sb.toString();
    }

    private static String number(JsonNode v) {
        if (v.isIntegralNumber()) {
            return v.asText();
        }
        double d = v.asDouble();
        return String.format(Locale.ROOT, "%.4f", d);
    }

    /** Text of a byte array as UTF-8, cut to at most {@code max} characters. */
    public static String excerpt(byte[] body, int max) {
        if (body == null || body.length == 0) {
            return "";
        }
        String s = new String(body, 0, Math.min(body.length, max * 4), StandardCharsets.UTF_8);
        return s.length() > max ? s.substring(0, max) + "…" : s;
    }

    /** The most useful message of {@code t} or its causes, for one-line error reports. */
    public static String rootMessage(Throwable t) {
        if (t instanceof IOException && t.getMessage() != null && !(t instanceof java.net.ConnectException)) {
            return t.getMessage();
        }
        String msg = t.getMessage();
        Throwable c = t.getCause();
        while (c != null) {
            if (c.getMessage() != null) {
                msg = c.getMessage();
            }
            c = c.getCause();
        }
        return msg == null ? t.getClass().getSimpleName() : msg;
    }

    /** Thrown when an incoming message is not a valid CloudEvent; the message tells the sender what to fix. */
    public static final class InvalidEventException extends RuntimeException {
        /** Creates the exception with a message meant for the sender. */
        public InvalidEventException(String message) {
            super(message);
        }
    }
}
