package dev.cnai.functions.support.testing;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cnai.events.EventCodec;
import io.restassured.response.Response;

/** Posts CloudEvents to the function under test over real HTTP, in binary or structured mode. */
public final class CloudEventRequests {
    private CloudEventRequests() {
    }

    public static Response binary(String type, String id, String subject, Object data) {
        var req = given().header("ce-id", id).header("ce-source", "/test").header("ce-specversion", "1.0")
                .header("ce-type", type).contentType("application/json").body(json(data));
        if (subject != null) {
            req = req.header("ce-subject", subject);
        }
        return req.post("/");
    }

    public static Response structured(String type, String id, String subject, Object data) {
        ObjectNode ev = EventCodec.mapper().createObjectNode();
        ev.put("specversion", "1.0").put("id", id).put("source", "/test").put("type", type)
                .put("datacontenttype", "application/json");
        if (subject != null) {
            ev.put("subject", subject);
        }
        ev.set("data", EventCodec.mapper().valueToTree(data));
        return given().contentType("application/cloudevents+json").body(EventCodec.encode(ev)).post("/");
    }

    private static byte[] json(Object data) {
        return data instanceof String s ? s.getBytes(java.nio.charset.StandardCharsets.UTF_8) : EventCodec.encode(data);
    }
}
