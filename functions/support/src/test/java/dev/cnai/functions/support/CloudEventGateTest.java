package dev.cnai.functions.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.events.EventException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The SDK's reader failures, mapped onto the messages the hand-written reader gave. */
class CloudEventGateTest {

    private static String binary(Map<String, String> headers) {
        return assertThrows(EventException.class,
                () -> CloudEventGate.read(headers::forEach, "{}".getBytes(StandardCharsets.UTF_8), false)).getMessage();
    }

    private static String structured(String json) {
        Map<String, String> headers = Map.of("Content-Type", "application/cloudevents+json");
        return assertThrows(EventException.class,
                () -> CloudEventGate.read(headers::forEach, json.getBytes(StandardCharsets.UTF_8), true)).getMessage();
    }

    @Test
    void binaryModeMissingAttributesAreNamed() {
        assertEquals(EventException.missingAttribute("source").getMessage(), binary(Map.of("ce-id", "1",
                "ce-specversion", "1.0", "ce-type", "t", "Content-Type", "application/json")));
        assertEquals(EventException.missingAttribute("id").getMessage(), binary(Map.of("ce-source", "/s",
                "ce-specversion", "1.0", "ce-type", "t", "Content-Type", "application/json")));
        assertEquals(EventException.missingAttribute("specversion").getMessage(), binary(Map.of("ce-id", "1",
                "ce-source", "/s", "ce-type", "t", "Content-Type", "application/json")));
    }

    @Test
    void unknownSpecVersionIsNamed() {
        assertEquals("CloudEvents specversion '2.0' is not supported; use 1.0", binary(Map.of("ce-id", "1",
                "ce-source", "/s", "ce-specversion", "2.0", "ce-type", "t", "Content-Type", "application/json")));
        assertEquals("CloudEvents specversion '2.0' is not supported; use 1.0",
                structured("{\"specversion\":\"2.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\"}"));
    }

    @Test
    void structuredModeMissingAttributesAreNamed() {
        assertEquals(EventException.missingAttribute("type").getMessage(),
                structured("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"data\":{}}"));
        assertEquals(EventException.missingAttribute("specversion").getMessage(),
                structured("{\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\"}"));
    }

    @Test
    void attributesAndExtensionsAreBoundedInLength() {
        var at = io.cloudevents.core.builder.CloudEventBuilder.v1().withId("i".repeat(16))
                .withSource(java.net.URI.create("/s")).withType("t").withSubject("s".repeat(16))
                .withExtension("traceparent", "t".repeat(16)).build();
        CloudEventGate.checkAttributes(at, 16);
        for (var over : java.util.List.of(io.cloudevents.core.builder.CloudEventBuilder.v1(at).withId("i".repeat(17)),
                io.cloudevents.core.builder.CloudEventBuilder.v1(at).withSubject("s".repeat(17)),
                io.cloudevents.core.builder.CloudEventBuilder.v1(at).withExtension("traceparent", "t".repeat(17)))) {
            EventException e = assertThrows(EventException.class, () -> CloudEventGate.checkAttributes(over.build(), 16));
            assertEquals(dev.cnai.errors.ErrorKind.PAYLOAD_TOO_LARGE, e.kind());
            assertTrue(e.getMessage().contains("17 characters long, over the limit of 16 "
                    + "(cnai.events.max-attribute-length)"), e.getMessage());
        }
    }

    @Test
    void structuredModeThatIsNotAJsonObjectSaysSo() {
        assertEquals("a structured-mode CloudEvent must be a JSON object", structured("[1, 2]"));
        String badJson = structured("{\"id\": ");
        assertTrue(badJson.startsWith("data of structured CloudEvent is not valid JSON: "), badJson);
        assertTrue(structured("").startsWith("event of type structured CloudEvent has no data"));
    }
}
