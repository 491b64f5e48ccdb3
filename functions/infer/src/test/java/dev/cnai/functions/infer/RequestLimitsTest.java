package dev.cnai.functions.infer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.events.EventTypes;
import dev.cnai.functions.support.testing.CloudEventRequests;
import dev.cnai.functions.support.testing.FunctionTestResource;
import dev.cnai.serving.ServingLimits;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every request limit of infer over real HTTP, with small limits: one over each is refused with 413 and a message
 * naming the limit and its key; a request exactly at every limit at once is answered. blobs takes 8 features a row.
 */
@QuarkusTest
@WithTestResource(FunctionTestResource.class)
@TestProfile(RequestLimitsTest.Profile.class)
class RequestLimitsTest {
    private static final int MAX_BYTES = 2048;
    private static final String INFER = "/v2/models/blobs/infer";
    private static final String ROW = "[1, 2, 3, 4, 5, 6, 7, 8]";
    private static boolean registered;

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("cnai.events.max-bytes", String.valueOf(MAX_BYTES),
                    ServingLimits.MAX_TENSOR_ELEMENTS, "16", ServingLimits.MAX_ROWS, "3",
                    ServingLimits.MAX_STRING_LENGTH, "16");
        }
    }

    @BeforeEach
    void serveBlobs() throws Exception {
        if (!registered) {
            var registry = BlobsModel.registry();
            BlobsModel.register(registry, "run-limits", "limits");
            BlobsModel.send("p-limits", BlobsModel.productionPromotion(registry, "run-limits"));
            registered = true;
        }
    }

    /** A request for {@code rows} rows of {@code shape}, padded with spaces to {@code size} bytes when size > 0. */
    private static String request(String id, String shape, int rows, int size) {
        String body = "{\"id\": \"" + id + "\", \"inputs\": [{\"name\": \"input\", \"shape\": " + shape
                + ", \"datatype\": \"FP32\", \"data\": [" + String.join(", ", java.util.Collections.nCopies(rows, ROW))
                + "]}]}";
        return size > 0 ? body + " ".repeat(size - body.length()) : body;
    }

    private static Response post(String body) {
        return given().contentType("application/json").body(body.getBytes(StandardCharsets.UTF_8)).post(INFER);
    }

    private static void refused(Response r, String... fragments) {
        r.then().statusCode(413).contentType("application/json");
        for (String f : fragments) {
            r.then().body("error", containsString(f));
        }
    }

    @Test
    void aRequestAtEveryLimitIsAnswered() {
        // 2 rows x 8 = 16 values, a 16-character id, exactly MAX_BYTES bytes
        String body = request("0123456789abcdef", "[2, 8]", 2, MAX_BYTES);
        assertEquals(MAX_BYTES, body.getBytes(StandardCharsets.UTF_8).length);
        post(body).then().statusCode(200).body("id", containsString("0123456789abcdef"))
                .body("outputs[1].shape[0]", org.hamcrest.Matchers.is(2));
    }

    @Test
    void aBodyOverTheLimitIsRefusedFromItsContentLength() {
        refused(post(request("a", "[2, 8]", 2, MAX_BYTES + 1)), "inference request of 2049 bytes",
                "limit of 2048 bytes (cnai.events.max-bytes)");
    }

    @Test
    void aChunkedBodyOverTheLimitIsCutOffAtIt() throws Exception {
        byte[] body = request("a", "[2, 8]", 2, MAX_BYTES * 2).getBytes(StandardCharsets.UTF_8);
        // a body of unknown length is sent chunked, without Content-Length
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + INFER))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build();
        HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(req, HttpResponse.BodyHandlers.ofString());
        assertEquals(413, r.statusCode(), r.body());
        // Quarkus's body handler stops at quarkus.http.limits.max-body-size, wired to cnai.events.max-bytes
        assertTrue(r.body().contains("request body exceeds the limit of 2048 bytes (cnai.events.max-bytes)"), r.body());
    }

    @Test
    void moreValuesThanTheTensorLimitAreRefusedFromTheShape() {
        refused(post(request("a", "[3, 8]", 3, 0)), "[3, 8] declares 24 values, over the limit of 16",
                ServingLimits.MAX_TENSOR_ELEMENTS);
    }

    @Test
    void moreRowsThanTheRowLimitAreRefused() {
        refused(post(request("a", "[4, 1]", 0, 0).replace("\"data\": []", "\"data\": [1, 2, 3, 4]")),
                "4 rows, over the limit of 3", ServingLimits.MAX_ROWS);
    }

    @Test
    void aStringOverTheLimitIsRefused() {
        refused(post(request("0123456789abcdefg", "[1, 8]", 1, 0)), "'id'", "limit of 16 characters",
                ServingLimits.MAX_STRING_LENGTH);
    }

    @Test
    void anEventOverTheLimitIsRefusedBeforeItIsRead() {
        String big = "{\"instances\": [" + String.join(", ", java.util.Collections.nCopies(100, ROW)) + "]}";
        refused(CloudEventRequests.binary(EventTypes.INFERENCE_REQUESTED, "e-big", "run-big", big),
                "bytes exceeds the limit of 2048 bytes (cnai.events.max-bytes)");
    }
}
