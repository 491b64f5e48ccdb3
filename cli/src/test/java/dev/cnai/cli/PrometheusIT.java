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
 * {@code promtool check metrics} finds nothing to lint on any endpoint, and every query of every panel of the Grafana
 * dashboard ({@code docs/grafana/cnai.json}) returns data. Skipped, saying why, without Debian's {@code prometheus}
 * package.
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

    /**
     * Grafana's variables as the test evaluates the dashboard's queries: windows that reach back over the whole test
     * (Prometheus started with the stack), so that a series of a function scaled to zero since it ran is still
     * within them. In Grafana {@code $__rate_interval} is at least four scrape intervals and {@code $__range} the
     * time range shown.
     */
    private static final Map<String, String> GRAFANA_VARIABLES = Map.of("__rate_interval", "10m", "__interval", "1m",
            "__range", "15m");

    @Test
    void everyPanelOfTheGrafanaDashboardReturnsData() throws Exception {
        Prometheus.assumeInstalled();
        EndToEnd.assertRegistered(stack, outcome);
        GrafanaDashboard dashboard = GrafanaDashboard.read(EndToEnd.repo().resolve(GrafanaDashboard.FILE));
        assertTrue(dashboard.queries().size() >= 11, "queries: " + dashboard.queries());
        // the inference panels need inferences: OIP requests of one 784-zero row (the activator starts infer)
        EndToEnd.awaitInferReady(stack);
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = EndToEnd.HTTP.send(HttpRequest.newBuilder(URI.create(stack.functionUrl("infer")
                    + "v2/models/mnist-mlp/infer")).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(oneZeroRow())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
        }
        // scrapes are 1 s apart and rate() needs two samples of a series in its window: poll up to 60 s
        Map<String, String> failing = new TreeMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        do {
            failing.clear();
            // the latency buckets exist at 0 from infer's start: also wait until the inferences above are scraped
            String answered = "max(max_over_time(cnai_infer_latency_seconds_count[10m]))";
            if (prometheus.query(answered).path(0).path("value").path(1).asDouble() < 3) {
                failing.put("(inferences)", answered + " < 3: " + prometheus.query(answered));
            }
            for (GrafanaDashboard.Query q : dashboard.queries()) {
                String promql = GrafanaDashboard.substitute(q.expr(), GRAFANA_VARIABLES);
                try {
                    JsonNode result = prometheus.query(promql);
                    if (result.isEmpty()) {
                        failing.put(q.name(), promql + " returned no series");
                    }
                } catch (java.io.IOException e) {
                    failing.put(q.name(), promql + ": " + e.getMessage());
                }
            }
            if (!failing.isEmpty()) {
                Thread.sleep(1000);
            }
        } while (!failing.isEmpty() && System.nanoTime() < deadline);
        StringBuilder message = new StringBuilder(failing.size() + " of " + dashboard.queries().size()
                + " dashboard queries returned nothing:");
        failing.forEach((panel, why) -> message.append("\n  ").append(panel).append(": ").append(why));
        assertEquals(Map.of(), failing, message.toString());
    }

    @Test
    void everyMetricTheDashboardReadsIsExportedByAFunctionOrTheBroker() throws Exception {
        Prometheus.assumeInstalled();
        EndToEnd.assertRegistered(stack, outcome);
        Set<String> referenced = GrafanaDashboard.read(EndToEnd.repo().resolve(GrafanaDashboard.FILE)).metricNames();
        assertTrue(referenced.size() >= 11, "metric names parsed from the dashboard: " + referenced);
        // what Prometheus scraped from the six /q/metrics and /metrics endpoints (its only targets)
        Set<String> missing = new TreeSet<>(referenced);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            missing.removeAll(prometheus.metricNames());
            if (missing.isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(1000);
        }
        assertEquals(Set.of(), missing, "metrics the dashboard reads that no function or the broker exports");
    }

    private static String oneZeroRow() {
        StringBuilder zeros = new StringBuilder();
        for (int i = 0; i < 784; i++) {
            zeros.append(i == 0 ? "0" : ",0");
        }
        return "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,784],\"datatype\":\"FP32\",\"data\":[" + zeros
                + "]}]}";
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
