package dev.cnai.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * What the broker's HTTP tests share: a client, Trigger manifests, the brokers and subscribers a test opened
 * (closed after it, newest first), the broker's console, and a tolerant file reader for its logs.
 */
abstract class BrokerFixture {
    protected final List<AutoCloseable> open = new ArrayList<>();
    protected final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    protected final ByteArrayOutputStream console = new ByteArrayOutputStream();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        open.clear();
    }

    /** What the brokers of this test printed. */
    protected String consoleText() {
        return console.toString(StandardCharsets.UTF_8);
    }

    /**
     * A Trigger {@code name} of {@code broker} sending the events that match {@code filter} (attributes in YAML flow
     * style, e.g. {@code type: a, cnaitier: gold}; null: every event) to the Knative Service {@code name}.
     */
    protected static String trigger(String broker, String name, String filter) {
        return """
                apiVersion: eventing.knative.dev/v1
                kind: Trigger
                metadata: {name: %s}
                spec:
                  broker: %s
                """.formatted(name, broker)
                + (filter == null ? "" : "  filter: {attributes: {%s}}\n".formatted(filter))
                + "  subscriber: {ref: {kind: Service, name: %s}}\n".formatted(name);
    }

    /** A Trigger {@code name} of broker {@code cnai} sending the events of {@code type} to the Service {@code name}. */
    protected static String trigger(String name, String type) {
        return trigger("cnai", name, "type: " + type);
    }

    /** {@link #trigger(String, String)} with {@code retry} retries, 10 ms apart and linear. */
    protected static String trigger(String name, String type, int retry) {
        return trigger(name, type)
                + "  delivery: {retry: %d, backoffPolicy: linear, backoffDelay: PT0.01S}\n".formatted(retry);
    }

    /** The lines of a log file, none while it does not exist yet. */
    protected static List<String> lines(Path f) {
        try {
            return Files.exists(f) ? Files.readAllLines(f) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }
}
