package dev.cnai.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local scale to zero with a real subscriber process ({@link TinyFunction}): the first event starts it and the cold
 * start is logged with its duration, it is stopped after the idle timeout, and the next event starts it again.
 */
class ScaleToZeroTest extends BrokerFixture {

    private static final String TRIGGER = """
            apiVersion: eventing.knative.dev/v1
            kind: Trigger
            metadata:
              name: tiny
            spec:
              broker: cnai
              filter:
                attributes:
                  type: dev.cnai.test.ping
              subscriber:
                ref:
                  apiVersion: serving.knative.dev/v1
                  kind: Service
                  name: tiny
              delivery:
                retry: 0
            """;

    @TempDir
    Path data;

    private LocalBroker broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private LocalBroker start(List<String> command, Duration idle, Duration startTimeout, int port)
            throws IOException {
        BrokerConfig cfg = BrokerConfig.builder().port(0).dataDir(data)
                .subscribers(Map.of("tiny", URI.create("http://127.0.0.1:" + port)))
                .shutdownGrace(Duration.ofSeconds(1))
                .scaleToZero(new ScaleToZero(Map.of("tiny", command), idle, startTimeout,
                        ScaleToZero.DEFAULT_HEALTH, Duration.ofSeconds(5), data.resolve("logs"))).build();
        TriggerLoader.Result triggers = TriggerLoader.parse(TRIGGER, null);
        broker = LocalBroker.start(cfg, triggers, new PrintStream(console, true, StandardCharsets.UTF_8));
        return broker;
    }

    private static List<String> tiny(int port, Path received, long delayMs) {
        String java = ProcessHandle.current().info().command().orElse("java");
        return List.of(java, "-Xmx32m", "-cp", System.getProperty("java.class.path"), TinyFunction.class.getName(),
                Integer.toString(port), received.toString(), Long.toString(delayMs));
    }

    private void send(String id) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(broker.uri().resolve("/"))
                .header("ce-specversion", "1.0").header("ce-id", id).header("ce-source", "/test")
                .header("ce-type", "dev.cnai.test.ping").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
    }



    private List<Long> coldStarts() {
        Matcher m = Pattern.compile("cold start tiny (\\d+) ms").matcher(consoleText());
        List<Long> out = new ArrayList<>();
        while (m.find()) {
            out.add(Long.parseLong(m.group(1)));
        }
        return out;
    }

    @Test
    void startsOnFirstEventStopsWhenIdleAndStartsAgain() throws Exception {
        int port = TinyFunction.freePort();
        Path received = data.resolve("received.txt");
        start(tiny(port, received, 300), Duration.ofMillis(1500), Duration.ofSeconds(30), port);
        ProcessManager pm = broker.processes();
        assertTrue(pm.pid("tiny").isEmpty(), "nothing runs before the first event");
        // registered at 0 before the first start, so that a query over them finds a series
        Scrape atZero = Scrape.of(http, broker);
        assertEquals(0.0, atZero.samples().get("cnai_broker_cold_starts_total{function=\"tiny\"}"), atZero.text());
        assertEquals(0.0, atZero.samples().get("cnai_broker_cold_start_duration_seconds_count{function=\"tiny\"}"),
                atZero.text());

        send("e1");
        Polling.until(() -> lines(received).size() == 1, () -> "e1 not delivered; " + consoleText());
        assertEquals(1, pm.starts("tiny"));
        assertEquals(1, coldStarts().size(), consoleText());
        assertTrue(coldStarts().get(0) >= 300, "the cold start includes the 300 ms start delay: " + consoleText());
        String[] first = lines(received).get(0).split(" ");
        assertEquals("e1", first[0]);
        assertEquals(broker.uri() + "/", first[1], "the process gets K_SINK = the broker ingress");
        long pid1 = Long.parseLong(first[2]);

        // idle past the timeout: stopped, and the process is really gone
        Polling.until(() -> pm.pid("tiny").isEmpty(), Duration.ofSeconds(20), () -> "not stopped; " + consoleText());
        Polling.until(() -> ProcessHandle.of(pid1).map(h -> !h.isAlive()).orElse(true), Duration.ofSeconds(10),
                () -> "pid " + pid1 + " still alive");
        assertTrue(consoleText().contains("stopped tiny (pid " + pid1 + "): scaled to zero after"), consoleText());

        // three events at once while at zero: one cold start serves them all
        send("e2");
        send("e3");
        send("e4");
        Polling.until(() -> lines(received).size() == 4, () -> "e2..e4 not delivered; " + consoleText());
        assertEquals(2, pm.starts("tiny"), consoleText());
        assertEquals(2, coldStarts().size(), consoleText());
        Scrape metrics = Scrape.of(http, broker);
        assertEquals(2, metrics.value("cnai_broker_cold_starts_total{function=\"tiny\"}"), metrics.text());
        assertEquals(2, metrics.value("cnai_broker_cold_start_duration_seconds_count{function=\"tiny\"}"));
        long pid2 = Long.parseLong(lines(received).get(3).split(" ")[2]);
        assertTrue(pid2 != pid1, "a new process served the second burst");
        assertTrue(Files.readString(data.resolve("logs/tiny.log")).contains("tiny function listening on " + port));

        broker.close();
        Polling.until(() -> ProcessHandle.of(pid2).map(h -> !h.isAlive()).orElse(true), Duration.ofSeconds(10),
                () -> "closing the broker must stop pid " + pid2);
        broker = null;
    }

    @Test
    void theActivatorStartsAStoppedSubscriberForAPlainHttpRequest() throws Exception {
        int port = TinyFunction.freePort();
        Path received = data.resolve("received.txt");
        start(tiny(port, received, 0), Duration.ofSeconds(30), Duration.ofSeconds(30), port);
        assertTrue(broker.processes().pid("tiny").isEmpty());
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(broker.uri().resolve("/_activator/tiny/"))
                .header("ce-id", "direct").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
        assertTrue(lines(received).get(0).startsWith("direct "), lines(received).toString());
        assertEquals(1, coldStarts().size(), consoleText());
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                broker.uri().resolve("/_activator/tiny/q/health/live")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        assertEquals(1, broker.processes().starts("tiny"), "a running subscriber is not started twice");
        HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(
                broker.uri().resolve("/_activator/nobody/")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, unknown.statusCode());
    }

    @Test
    void aProcessThatCannotStartDeadLettersTheEventWithTheReason() throws Exception {
        int port = TinyFunction.freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        start(List.of(java, "-cp", System.getProperty("java.class.path"), "no.such.MainClass"),
                Duration.ofSeconds(30), Duration.ofSeconds(30), port);
        send("doomed");
        Path dl = data.resolve(EventLog.DEAD_LETTER_FILE);
        Polling.until(() -> !lines(dl).isEmpty(), () -> "not dead-lettered; " + consoleText());
        JsonNode rec = Events.JSON.readTree(lines(dl).get(0));
        assertTrue(rec.toString().contains("cold start failed: tiny exited with status"), rec.toString());
        assertTrue(broker.processes().pid("tiny").isEmpty());
    }

    @Test
    void commandLinesRoundTripThroughQuoting() {
        List<String> args = List.of("/opt/my java/bin/java", "-Dx=it's", "a\"b", "", "plain");
        assertEquals(args, ScaleToZero.splitCommandLine(ScaleToZero.joinCommandLine(args)));
        assertEquals(List.of("java", "-jar", "a b.jar"), ScaleToZero.splitCommandLine("java  -jar \"a b.jar\""));
        assertEquals(Map.entry("infer", List.of("java", "-jar", "x.jar")),
                ScaleToZero.parseProcess("infer=java -jar x.jar"));
        assertThrows(IllegalArgumentException.class, () -> ScaleToZero.parseProcess("infer="));
        assertThrows(IllegalArgumentException.class, () -> ScaleToZero.splitCommandLine("java 'oops"));
    }

    @Test
    void processWithoutSubscriberUrlIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"serve", "--port", "0", "--data-dir", data.toString(),
            "--triggers", data.toString(), "--process", "tiny=java -version"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(Main.EXIT_USAGE, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--process tiny needs --subscriber tiny="),
                err.toString(StandardCharsets.UTF_8));
        assertFalse(err.toString(StandardCharsets.UTF_8).isEmpty());
    }
}
