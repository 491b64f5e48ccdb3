package dev.cnai.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cnai.events.EventCodec;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * docs/grafana/cnai.json without a Prometheus: its shape (datasource variable, panel types, a PromQL query on every
 * target) and the parsing PrometheusIT relies on to evaluate every panel against a live one.
 */
class GrafanaDashboardTest {
    private static final java.nio.file.Path FILE = EndToEnd.repo().resolve(GrafanaDashboard.FILE);

    @Test
    void metricNamesAreTheIdentifiersThatAreNotFunctionsLabelsOrDurations() {
        assertEquals(Set.of("a_total", "b_seconds_sum"), GrafanaDashboard.metricNames(
                "sum by (le, model) (rate(a_total{job=\"x\", le=~\"rate(y)\"}[5m])) / on (model) group_left(job) "
                        + "sum without (instance) (increase(b_seconds_sum[1m] offset 5m)) * 60"));
        assertEquals(Set.of("up"), GrafanaDashboard.metricNames("max_over_time(up[10m]) == 1"));
        assertEquals(Set.of("g"), GrafanaDashboard.metricNames("histogram_quantile(0.99, g)"));
        assertEquals(Set.of("x:recorded"), GrafanaDashboard.metricNames("x:recorded"));
    }

    @Test
    void grafanaVariablesAreReplacedLongestNameFirst() {
        Map<String, String> v = Map.of("__rate_interval", "2m", "__range", "10m", "__interval", "1m");
        assertEquals("rate(a[2m]) + increase(a[10m]) + rate(a[1m]) + rate(a[2m])", GrafanaDashboard.substitute(
                "rate(a[$__rate_interval]) + increase(a[$__range]) + rate(a[$__interval]) + rate(a[${__rate_interval}])",
                v));
    }

    @Test
    void theDashboardHasADatasourceVariableAndAQueryOnEveryTargetOfEveryPanel() throws Exception {
        JsonNode root = EventCodec.mapper().readTree(Files.readString(FILE));
        assertEquals(39, root.path("schemaVersion").asInt());
        JsonNode var = root.path("templating").path("list").path(0);
        assertEquals("datasource", var.path("name").asText());
        assertEquals("datasource", var.path("type").asText());
        assertEquals("prometheus", var.path("query").asText());
        Set<String> types = new TreeSet<>();
        Set<Integer> ids = new TreeSet<>();
        for (JsonNode p : root.path("panels")) {
            types.add(p.path("type").asText());
            assertTrue(ids.add(p.path("id").asInt()), "panel ids are unique: " + p.path("id"));
            assertEquals("${datasource}", p.path("datasource").path("uid").asText(), p.path("title").asText());
            assertFalse(p.path("targets").isEmpty(), p.path("title") + " has no target");
            for (JsonNode t : p.path("targets")) {
                assertEquals("${datasource}", t.path("datasource").path("uid").asText(), p.path("title").asText());
            }
        }
        assertEquals(Set.of("heatmap", "stat", "timeseries"), types);
        GrafanaDashboard d = GrafanaDashboard.read(FILE);
        List<String> blank = d.queries().stream().filter(q -> q.expr().isBlank()).map(GrafanaDashboard.Query::name)
                .toList();
        assertEquals(List.of(), blank, "targets without a query");
        for (String title : List.of("Runs in flight", "Rounds per minute", "Training samples/s per shard",
                "Validation accuracy per round", "Inference latency p50 / p99", "Inference batch size",
                "Broker queue depth", "429s per second", "Cold starts", "Dead letters", "Energy")) {
            assertTrue(d.queries().stream().anyMatch(q -> q.panel().equals(title)), "no panel '" + title + "'");
        }
        assertTrue(d.metricNames().stream().allMatch(n -> n.startsWith("cnai_")), d.metricNames().toString());
        assertTrue(d.metricNames().containsAll(Set.of("cnai_broker_runs_in_flight", "cnai_rounds_completed_total",
                "cnai_train_samples_total", "cnai_round_validation_accuracy", "cnai_infer_latency_seconds_bucket",
                "cnai_infer_batch_size_rows_bucket", "cnai_broker_queue_depth", "cnai_broker_admission_rejected_total",
                "cnai_infer_queue_rejected_total", "cnai_broker_cold_starts_total", "cnai_broker_dead_letters_total",
                "cnai_energy_joules_total")), d.metricNames().toString());
    }
}
