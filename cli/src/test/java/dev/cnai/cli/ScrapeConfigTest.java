package dev.cnai.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cnai.broker.Promtool;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Prometheus configuration {@code cnai local} writes for its stack. */
class ScrapeConfigTest {

    @TempDir
    Path dir;

    private static LocalStack stack(int portBase) {
        return new LocalStack(new LocalStack.Options(Path.of("/repo"), Path.of("/repo/.cnai"), portBase,
                Duration.ofSeconds(5), System.out, Set.of("train-shard", "infer"), Duration.ofSeconds(3)));
    }

    @Test
    void oneJobPerComponentOnItsOwnPortNeverThroughTheActivator() throws Exception {
        ScrapeConfig c = ScrapeConfig.of(stack(19200), Duration.ofSeconds(1));
        JsonNode y = new ObjectMapper(new YAMLFactory()).readTree(c.yaml());
        assertEquals("1s", y.path("global").path("scrape_interval").asText());
        assertEquals("1s", y.path("global").path("scrape_timeout").asText(), "the timeout may not exceed the interval");
        List<String> jobs = new ArrayList<>();
        for (JsonNode job : y.path("scrape_configs")) {
            jobs.add(job.path("job_name").asText() + " " + job.path("metrics_path").asText() + " "
                    + job.path("static_configs").path(0).path("targets").path(0).asText());
            assertEquals(job.path("job_name").asText(),
                    job.path("static_configs").path(0).path("labels").path("component").asText());
        }
        assertEquals(List.of("broker /metrics 127.0.0.1:19200", "preprocess /q/metrics 127.0.0.1:19201",
                "train-shard /q/metrics 127.0.0.1:19202", "evaluate /q/metrics 127.0.0.1:19203",
                "register /q/metrics 127.0.0.1:19204", "infer /q/metrics 127.0.0.1:19205"), jobs);
        assertEquals("10s", new ObjectMapper(new YAMLFactory()).readTree(ScrapeConfig.of(stack(19200),
                Duration.ofSeconds(30)).yaml()).path("global").path("scrape_timeout").asText());
    }

    @Test
    void promtoolAcceptsTheWrittenFile() throws Exception {
        Path file = ScrapeConfig.of(stack(19200), ScrapeConfig.DEFAULT_INTERVAL).write(dir.resolve("prometheus.yml"));
        Promtool.assumeInstalled();
        Process p = new ProcessBuilder(Promtool.BINARY.toString(), "check", "config", file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("SUCCESS"), out);
    }

    @Test
    void refusesWhatPrometheusWouldNotTake() {
        assertThrows(IllegalArgumentException.class, () -> new ScrapeConfig(Duration.ofMillis(1500),
                Map.of("broker", URI.create("http://127.0.0.1:1/metrics"))));
        assertThrows(IllegalArgumentException.class, () -> new ScrapeConfig(Duration.ofSeconds(1),
                Map.of("a b", URI.create("http://127.0.0.1:1/metrics"))));
        assertThrows(IllegalArgumentException.class, () -> new ScrapeConfig(Duration.ofSeconds(1),
                Map.of("broker", URI.create("http://127.0.0.1/metrics"))));
    }
}
