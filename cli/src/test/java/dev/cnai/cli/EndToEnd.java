package dev.cnai.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cnai.events.EventCodec;
import dev.cnai.events.RunRequested;
import dev.cnai.testing.Fixtures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * What the end-to-end tests of the CLI share: the repository whose packaged modules they start, the small MNIST run
 * they submit, and the wait for infer to serve the model that run registered.
 */
final class EndToEnd {
    /** One client for the tests' own requests to the stack. */
    static final HttpClient HTTP = HttpClient.newHttpClient();

    private EndToEnd() {
    }

    /** The repository root with the built modules: system property {@code cnai.repo}, else the parent folder. */
    static Path repo() {
        return Path.of(System.getProperty("cnai.repo", "..")).toAbsolutePath().normalize();
    }

    /**
     * The options of a stack from the repository's packaged modules with its state in {@code home}, on six free
     * ports ({@link #portBase()}), allowed 2 minutes to start, printing to {@code System.out}.
     */
    static LocalStack.Options options(Path home, Set<String> onDemand, Duration idleTimeout) {
        return new LocalStack.Options(repo(), home, portBase(), Duration.ofSeconds(120), System.out,
                onDemand, idleTimeout);
    }

    /** Six free ports: in the range of system property {@code cnai.test.ports} ({@code LO-HI}) when set. */
    static int portBase() {
        String range = System.getProperty("cnai.test.ports", "");
        if (range.isBlank()) {
            return LocalStack.freePortBase();
        }
        String[] lohi = range.trim().split("-");
        return LocalStack.freePortBase(Integer.parseInt(lohi[0]), Integer.parseInt(lohi[1]));
    }

    /**
     * Submits run {@code runId} on 1,500 MNIST rows (3 rounds, hidden width 32, quality gate 0.5) and follows it to
     * its end, for at most 5 minutes.
     */
    static RunWatcher.Outcome smallRun(LocalStack stack, String runId) throws Exception {
        RunRequested req = Cnai.parse("--dataset", Fixtures.mnistTarball().toString(), "--limit", "1500",
                "--rounds", "3", "--hidden", "32", "--min-accuracy", "0.5").run.request(runId);
        stack.submitRun(runId, req);
        return new RunWatcher(stack, System.out).follow(runId, Duration.ofMinutes(5));
    }

    /** The run of {@code outcome} registered a model; the failure says why not and where the stack's logs are. */
    static void assertRegistered(LocalStack stack, RunWatcher.Outcome outcome) {
        assertEquals("registered", outcome.status(), "run ended with " + outcome.reason() + "; logs in "
                + stack.brokerLog().getParent());
    }

    /** Infer's answer (status 200) to a JSON request of these {@code instances}. */
    static JsonNode infer(LocalStack stack, Object instances) throws Exception {
        HttpResponse<String> resp = HTTP.send(HttpRequest.newBuilder(URI.create(stack.functionUrl("infer")))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(EventCodec.encode(Map.of("instances", instances))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, resp.statusCode(), resp.body());
        return EventCodec.mapper().readTree(resp.body());
    }

    /**
     * Waits until infer is ready: the run ends when model.registered is logged; infer loads the model when
     * model.promoted reaches it, a bit later.
     */
    static void awaitInferReady(LocalStack stack) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (HTTP.send(HttpRequest.newBuilder(URI.create(stack.functionUrl("infer") + "v2/health/ready")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
            assertTrue(System.nanoTime() < deadline, "infer did not load the promoted model within 60 s");
            Thread.sleep(100);
        }
    }
}
