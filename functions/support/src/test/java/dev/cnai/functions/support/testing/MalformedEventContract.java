package dev.cnai.functions.support.testing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

/**
 * The malformed-event contract every function honours: a 4xx with a JSON {@code error} a person can
 * act on, never a stack trace. Each function's {@code @QuarkusTest} extends this with its own type.
 */
public abstract class MalformedEventContract {

    /** A type this function accepts. */
    protected abstract String acceptedType();

    /** POSTs a binary-mode event with source {@code /t} to {@code /}, for the assertions on its answer. */
    private static ValidatableResponse postBinary(String id, String specVersion, String type, String contentType,
            String body) {
        return given().header("ce-id", id).header("ce-source", "/t").header("ce-specversion", specVersion)
                .header("ce-type", type).contentType(contentType).body(body).post("/").then();
    }

    @Test
    void missingSourceIsRejectedWithTheAttributeNamed() {
        given().header("ce-id", "m-1").header("ce-specversion", "1.0").header("ce-type", acceptedType())
                .contentType("application/json").body("{}").post("/")
                .then().statusCode(400).body("error", containsString("'source' is required"));
    }

    @Test
    void missingTypeInStructuredModeIsRejected() {
        given().contentType("application/cloudevents+json")
                .body("{\"specversion\":\"1.0\",\"id\":\"m-2\",\"source\":\"/t\",\"data\":{}}").post("/")
                .then().statusCode(400).body("error", containsString("'type' is required"));
    }

    @Test
    void unsupportedContentTypeIs415() {
        postBinary("m-3", "1.0", acceptedType(), "text/plain", "hello")
                .statusCode(415).body("error", containsString("application/json"));
    }

    @Test
    void invalidJsonIs400() {
        postBinary("m-4", "1.0", acceptedType(), "application/json", "{\"runId\": ")
                .statusCode(400).body("error", containsString("not valid JSON"))
                .body(not(containsString("at dev.cnai")));
    }

    @Test
    void dataFailingItsSchemaIs400() {
        postBinary("m-5", "1.0", acceptedType(), "application/json", "{\"runId\": 42}")
                .statusCode(400).body("error", containsString("does not match its schema"));
    }

    @Test
    void unknownTypeIs400WithTheAcceptedTypes() {
        postBinary("m-6", "1.0", "com.example.unknown", "application/json", "{}")
                .statusCode(400).body("error", containsString(acceptedType()));
    }

    @Test
    void unsupportedSpecVersionIs400() {
        postBinary("m-7", "0.3", acceptedType(), "application/json", "{}")
                .statusCode(400).body("error", containsString("use 1.0"));
    }

    @Test
    void oversizedEventIs413() {
        String big = "{\"pad\":\"" + "x".repeat(5 * 1024 * 1024) + "\"}";
        postBinary("m-8", "1.0", acceptedType(), "application/json", big)
                .statusCode(413).body("error", containsString("(cnai.events.max-bytes)"));
    }

    @Test
    void anAttributeOverTheLengthLimitIs413AndOneAtItIsRead() {
        // cnai.events.max-attribute-length is 1024: an id of 1024 reaches the data (its schema refuses it), 1025 not
        postBinary("i".repeat(1024), "1.0", acceptedType(), "application/json", "{\"runId\": 42}")
                .statusCode(400).body("error", containsString("does not match its schema"));
        postBinary("i".repeat(1025), "1.0", acceptedType(), "application/json", "{\"runId\": 42}")
                .statusCode(413).body("error", containsString("'id' is 1025 characters long"))
                .body("error", containsString("cnai.events.max-attribute-length"));
    }
}
