package dev.cnai.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code send} and {@code watch} commands against a real broker. */
class MainTest {

    @TempDir
    Path dir;

    private LocalBroker broker;
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        broker = LocalBroker.start(BrokerConfig.builder().port(0).dataDir(dir.resolve("data"))
                        .shutdownGrace(Duration.ofMillis(200)).build(),
                new TriggerLoader.Result(List.of(), List.of()), null);
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private int run(String... args) {
        outBytes.reset();
        errBytes.reset();
        return Main.run(args, new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    private String url() {
        return broker.uri().toString();
    }

    @Test
    void sendPostsABinaryEventAndPrintsItsId() throws Exception {
        assertEquals(0, run("send", "--broker", url(), "--type", "dev.cnai.run.requested", "--source", "/cnai/cli",
                "--subject", "run-1", "--id", "id-1", "--data", "{\"runId\":\"run-1\"}", "--extension", "cnaitier=gold"),
                err());
        assertEquals("id-1", out().trim());
        List<EventLog.AcceptedEvent> events = broker.log().query("run-1", 0, 10);
        assertEquals(1, events.size());
        JsonNode ev = events.get(0).event();
        assertEquals("dev.cnai.run.requested", ev.path("type").asText());
        assertEquals("run-1", ev.path("data").path("runId").asText());
        assertEquals("gold", ev.path("cnaitier").asText());

        Path file = dir.resolve("data.json");
        Files.writeString(file, "{\"round\":7}");
        assertEquals(0, run("send", "--broker", url(), "--type", "t", "--source", "/s", "--subject", "run-2",
                "--data", "@" + file));
        assertTrue(out().trim().matches("[0-9a-f-]{36}"), "generated UUID id: " + out());
        assertEquals(7, broker.log().query("run-2", 0, 10).get(0).event().path("data").path("round").asInt());
    }

    @Test
    void sendRejectsBadInput() {
        assertEquals(Main.EXIT_USAGE, run("send", "--broker", url(), "--source", "/s"));
        assertTrue(err().contains("--type is required"), err());
        assertEquals(Main.EXIT_USAGE, run("send", "--broker", url(), "--type", "t", "--source", "/s", "--data", "{x"));
        assertTrue(err().contains("not valid JSON"), err());
        assertEquals(Main.EXIT_USAGE, run("launch"));
        assertEquals(Main.EXIT_USAGE, run("serve", "--triggers", dir.resolve("missing").toString()));
        assertTrue(err().contains("trigger directory not found"), err());
    }

    @Test
    void watchPrintsEventsAndExitsWithTheDataOfTheUntilEvent() {
        send("run-w", "dev.cnai.round.completed", "{\"round\":1,\"rounds\":2,\"trainLoss\":0.25}");
        send("other", "dev.cnai.model.evaluated", "{\"validationAccuracy\":0.1}");
        send("run-w", "dev.cnai.model.evaluated",
                "{\"validationAccuracy\":0.91,\"test\":{\"accuracy\":0.9}}");
        assertEquals(0, run("watch", "--broker", url(), "--subject", "run-w",
                "--until", "dev.cnai.model.registered,dev.cnai.model.evaluated", "--timeout", "PT20S"), err());
        List<String> lines = out().lines().toList();
        assertEquals(3, lines.size(), out());
        assertTrue(lines.get(0).contains("dev.cnai.round.completed  round 1/2 trainLoss 0.2500"), lines.get(0));
        assertTrue(lines.get(1).contains("validationAccuracy 0.9100 accuracy 0.9000"), lines.get(1));
        assertEquals("{\"validationAccuracy\":0.91,\"test\":{\"accuracy\":0.9}}", lines.get(2));
    }

    @Test
    void watchFollowsEventsThatArriveLater() throws Exception {
        Thread later = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            broker.accept(Events.fromJson(Events.JSON.valueToTree(Map.of("specversion", "1.0", "id", "l-1",
                    "source", "/x", "type", "dev.cnai.model.promoted", "subject", "run-l"))),
                    LocalBroker.Scope.ALL, "ingress", 0);
        });
        later.start();
        assertEquals(0, run("watch", "--broker", url(), "--subject", "run-l", "--until", "dev.cnai.model.promoted",
                "--interval", "PT0.05S", "--timeout", "PT20S"), err());
        later.join();
        assertTrue(out().contains("dev.cnai.model.promoted"), out());
    }

    @Test
    void watchFailsOnPipelineFailedAndOnTimeout() {
        send("run-f", Main.PIPELINE_FAILED, "{\"step\":\"train-shard\",\"reason\":\"out of memory\"}");
        assertEquals(Main.EXIT_PIPELINE_FAILED, run("watch", "--broker", url(), "--subject", "run-f",
                "--until", "dev.cnai.model.registered", "--timeout", "PT20S"));
        assertTrue(out().contains("FAILED in train-shard: out of memory"), out());

        assertEquals(Main.EXIT_TIMEOUT, run("watch", "--broker", url(), "--subject", "run-none",
                "--until", "dev.cnai.model.registered", "--timeout", "PT0.2S", "--interval", "PT0.05S"));
        assertTrue(err().contains("timeout"), err());
    }

    private void send(String subject, String type, String data) {
        assertEquals(0, run("send", "--broker", url(), "--type", type, "--source", "/cnai/test", "--subject", subject,
                "--data", data), err());
    }
}
