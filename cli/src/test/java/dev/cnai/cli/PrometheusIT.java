package dev.cnai.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cnai.broker.Promtool;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus scrapes a local stack through the configuration {@code cnai local} generates ({@link
 * ScrapeConfig}, 1 s interval) while a small training run goes through it: every function and the broker is a
 * target that was scraped successfully ({@code up == 1}), the pipeline's own counters arrive, and
 * {@code promtool check metrics} finds nothing to lint on any endpoint. Skipped, saying why, without Debian's
 * {@code prometheus} package.
 */
class PrometheusIT {
    private static final String RUN = "prom-run-1";
    private static LocalStack stack;
    private static Prometheus prometheus;
    private static RunWatcher.Outcome outcome;

    @BeforeAll
    static void startAndRun() throws Exception {
        if (!Prometheus.installed()) {
            return; // each test is skipped with the reason (an assumption here would hide it from surefire's report)
        }
        Path home = Files.createTempDirectory("cnai-prom-");
        // train-shard and infer scale to zero as in cnai local: they are targets that are up only while they run
        stack = LocalStack.start(EndToEnd.options(home, LocalStack.DEFAULT_ON_DEMAND, Duration.ofSeconds(10)));
        Path config = ScrapeConfig.of(stack, Duration.ofSeconds(1)).write(home.resolve("prometheus-1s.yml"));
        int port = Prometheus.freePort(URI.create(stack.brokerUrl()).getPort() + 6);
        prometheus = Prometheus.start(config, home.resolve("prometheus"), port);
        outcome = EndToEnd.smallRun(stack, RUN);
        EndToEnd.awaitInferReady(stack);
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void everyFunctionAndTheBrokerIsATargetScrapedSuccessfully() throws Exception {
        Prometheus.assumeInstalled();
        EndToEnd.assertRegistered(stack, outcome);
        Map<String, String> scrapeUrls = new TreeMap<>();
        for (JsonNode t : prometheus.activeTargets()) {
            scrapeUrls.put(t.path("labels").path("job").asText(), t.path("scrapeUrl").asText());
        }
        Map<String, String> expected = new TreeMap<>();
        stack.metricsEndpoints().forEach((job, url) -> expected.put(job, url.toString()));
        assertEquals(expected, scrapeUrls);
        // the on-demand functions were up while they ran; so up == 1 at some point in the last minutes, for all
        Set<String> up = new TreeSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!up.equals(expected.keySet()) && System.nanoTime() < deadline) {
            up.clear();
            for (JsonNode s : prometheus.query("max_over_time(up[10m]) == 1")) {
                up.add(s.path("metric").path("job").asText());
            }
            Thread.sleep(500);
        }
        assertEquals(expected.keySet(), up, "jobs with up == 1 at least once; targets now: "
                + prometheus.activeTargets() + "\nprometheus log:\n" + prometheus.log());
    }

    @Test
    void thePipelinesOwnCountersReachPrometheus() throws Exception {
        Prometheus.assumeInstalled();
        EndToEnd.assertRegistered(stack, outcome);
        Set<String> invoked = new TreeSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Set<String> steps = Set.of("preprocess", "train-shard", "evaluate", "register");
        while (!invoked.containsAll(steps) && System.nanoTime() < deadline) {
            invoked.clear();
            for (JsonNode s : prometheus.query("max by (job) (max_over_time(cnai_function_invocations_total[10m])) > 0")) {
                invoked.add(s.path("metric").path("job").asText());
            }
            Thread.sleep(500);
        }
        assertTrue(invoked.containsAll(steps), "functions whose invocations Prometheus saw: " + invoked);
        JsonNode delivered = prometheus.query("sum(cnai_broker_deliveries_total{outcome=\"delivered\"})");
        assertTrue(delivered.path(0).path("value").path(1).asDouble() > 0, "broker deliveries: " + delivered);
    }

    @Test
    void promtoolFindsNothingToLintOnAnyEndpoint() throws Exception {
        Prometheus.assumeInstalled();
        Map<String, String> problems = new TreeMap<>();
        for (var e : stack.metricsEndpoints().entrySet()) {
            // through the activator for a function scaled to zero by now (this starts it), directly otherwise
            String url = e.getKey().equals("broker") ? e.getValue().toString() : stack.functionUrl(e.getKey())
                    + "q/metrics";
            // the 0.0.4 text format: promtool 2.42 does not parse OpenMetrics, which Quarkus answers by default
            HttpResponse<String> r = EndToEnd.HTTP.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Accept", "text/plain; version=0.0.4").timeout(Duration.ofSeconds(60)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                    url + ": " + r.headers().map());
            assertEquals(200, r.statusCode(), url + ": " + r.body());
            assertTrue(r.body().contains("# HELP"), url);
            Promtool.Result lint = Promtool.checkMetrics(r.body());
            if (lint.exitCode() != 0 || !lint.output().isBlank()) {
                problems.put(e.getKey(), "exit " + lint.exitCode() + ": " + lint.output());
            }
        }
        assertEquals(Map.of(), problems, "promtool check metrics");
    }
}
