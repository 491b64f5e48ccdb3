package dev.cnai.broker.deadletter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cnai.broker.Events;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dead-letter sink keeps every event it acknowledges, and refuses what is not a CloudEvent. */
class DeadLetterSinkTest {

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void keepsEveryAcknowledgedEventAsAJsonLine() throws Exception {
        Path file = dir.resolve("dl/dead-letter.jsonl");
        try (DeadLetterSink sink = DeadLetterSink.start("127.0.0.1", 0, file, 1024)) {
            URI uri = URI.create("http://127.0.0.1:" + sink.port() + "/");
            HttpResponse<String> ok = http.send(HttpRequest.newBuilder(uri).header("ce-specversion", "1.0")
                    .header("ce-id", "dl-1").header("ce-source", "/broker").header("ce-type", "dev.cnai.shard.assigned")
                    .header("ce-knativeerrorcode", "500").header("Content-Type", "application/json")
                    .header("ce-traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"runId\":\"r\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, ok.statusCode(), ok.body());
            HttpResponse<String> bad = http.send(HttpRequest.newBuilder(uri)
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, bad.statusCode());
            HttpResponse<String> big = http.send(HttpRequest.newBuilder(uri).header("ce-specversion", "1.0")
                    .POST(HttpRequest.BodyPublishers.ofString("x".repeat(2000))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(413, big.statusCode());
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(uri.resolve("/healthz")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertTrue(health.body().contains("\"kept\":1"), health.body());
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(1, lines.size());
        JsonNode line = Events.JSON.readTree(lines.get(0));
        assertEquals("dl-1", line.path("event").path("id").asText());
        assertEquals("500", line.path("event").path("knativeerrorcode").asText());
        assertEquals("r", line.path("event").path("data").path("runId").asText());
        assertTrue(line.hasNonNull("receivedAt"));
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", line.path("traceId").asText(), "the run's trace");
    }

    /** What a non-root sink on a root-owned volume says (the container run in docs/deploy.md shows it for real). */
    @Test
    void anUnwritableFileIsExplainedWithTheUserTheOwnerAndTheWayOut() throws Exception {
        Path file = dir.resolve("dlq/dead-letter.jsonl");
        Files.createDirectories(file.getParent());
        String why = DeadLetterSink.unwritable(file);
        assertTrue(why.contains(file.toAbsolutePath().toString()) && why.contains("permission denied for user ")
                && why.contains("is owned by " + Files.getOwner(file.getParent()).getName())
                && why.contains("securityContext.fsGroup"), why);
    }
}
