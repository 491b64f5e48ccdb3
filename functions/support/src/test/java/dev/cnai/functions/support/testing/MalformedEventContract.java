package dev.cnai.functions.support.testing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.Test;

/**
 * The malformed-event contract every function honours: a 4xx with a JSON {@code error} a person can
 * act on, never a stack trace. Each function's {@code @QuarkusTest} extends this with its own type.
 */
public abstract class MalformedEventContract {

    /** A type this function accepts. */
    protected abstract String acceptedType();

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
        given().header("ce-id", "m-3").header("ce-source", "/t").header("ce-specversion", "1.0")
                .header("ce-type", acceptedType()).contentType("text/plain").body("hello").post("/")
                .then().statusCode(415).body("error", containsString("application/json"));
    }

    @Test
    void invalidJsonIs400() {
        given().header("ce-id", "m-4").header("ce-source", "/t").header("ce-specversion", "1.0")
                .header("ce-type", acceptedType()).contentType("application/json").body("{\"runId\": ").post("/")
                .then().statusCode(400).body("error", containsString("not valid JSON"))
                .body(not(containsString("at dev.cnai")));
    }

    @Test
    void dataFailingItsSchemaIs400() {
        given().header("ce-id", "m-5").header("ce-source", "/t").header("ce-specversion", "1.0")
                .header("ce-type", acceptedType()).contentType("application/json").body("{\"runId\": 42}").post("/")
                .then().statusCode(400).body("error", containsString("does not match its schema"));
    }

    @Test
    void unknownTypeIs400WithTheAcceptedTypes() {
        given().header("ce-id", "m-6").header("ce-source", "/t").header("ce-specversion", "1.0")
                .header("ce-type", "com.example.unknown").contentType("application/json").body("{}").post("/")
                .then().statusCode(400).body("error", containsString(acceptedType()));
    }

    @Test
    void unsupportedSpecVersionIs400() {
        given().header("ce-id", "m-7").header("ce-source", "/t").header("ce-specversion", "0.3")
                .header("ce-type", acceptedType()).contentType("application/json").body("{}").post("/")
                .then().statusCode(400).body("error", containsString("use 1.0"));
    }

    @Test
    void oversizedEventIs413() {
        String big = "{\"pad\":\"" + "x".repeat(5 * 1024 * 1024) + "\"}";
        given().header("ce-id", "m-8").header("ce-source", "/t").header("ce-specversion", "1.0")
                .header("ce-type", acceptedType()).contentType("application/json").body(big).post("/")
                .then().statusCode(413);
    }
}
