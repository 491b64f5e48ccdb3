package dev.cnai.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads and writes the {@code data} of catalogue events: JSON checked against the type's published
 * JSON Schema (the same files {@code docs/events.md} documents), then bound to its record.
 */
public final class EventCodec {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();
    private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    private EventCodec() {
    }

    /** The mapper used for event data (and other JSON documents of the pipeline). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Parses, validates and binds the data of an event of {@code type}. */
    public static EventData decode(String type, byte[] json) {
        Class<? extends EventData> cls = EventTypes.dataClass(type)
                .orElseThrow(() -> EventException.unsupportedType(type, EventTypes.all().keySet()));
        JsonNode node = parse(type, json);
        validate(type, node);
        try {
            return MAPPER.treeToValue(node, cls);
        } catch (JsonProcessingException e) {
            throw EventException.badJson(type, e.getOriginalMessage());
        }
    }

    /** Parses JSON bytes, reporting syntax errors as {@link EventException}. */
    public static JsonNode parse(String type, byte[] json) {
        if (json == null || json.length == 0) {
            throw EventException.invalid("event of type " + type + " has no data; send the JSON described in docs/events.md");
        }
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            String msg = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
            throw EventException.badJson(type, msg);
        }
    }

    /** Checks a data document against the type's schema. */
    public static void validate(String type, JsonNode node) {
        Set<ValidationMessage> errors = schema(type).validate(node);
        if (!errors.isEmpty()) {
            List<String> msgs = errors.stream().map(ValidationMessage::getMessage).sorted().limit(10).toList();
            throw EventException.schema(type, msgs);
        }
    }

    /** Serialises event data to JSON bytes. */
    public static byte[] encode(Object data) {
        try {
            return MAPPER.writeValueAsBytes(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + data.getClass().getSimpleName(), e);
        }
    }

    /** Binds an already-validated data tree to the record of its type. */
    public static EventData bind(String type, JsonNode data) {
        Class<? extends EventData> cls = EventTypes.dataClass(type)
                .orElseThrow(() -> EventException.unsupportedType(type, EventTypes.all().keySet()));
        try {
            return MAPPER.treeToValue(data, cls);
        } catch (JsonProcessingException e) {
            throw EventException.badJson(type, e.getOriginalMessage());
        }
    }

    public static <T> T read(byte[] json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + type.getSimpleName(), e);
        }
    }

    private static JsonSchema schema(String type) {
        return SCHEMAS.computeIfAbsent(type, t -> {
            try (InputStream in = EventCodec.class.getResourceAsStream(EventTypes.schemaResource(t))) {
                if (in == null) {
                    throw new IllegalStateException("no schema resource for " + t);
                }
                return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
