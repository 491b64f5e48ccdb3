package dev.cnai.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cnai.events.EventCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The queries of a Grafana dashboard JSON model ({@code docs/grafana/cnai.json}): every target of every panel (rows'
 * nested panels included), with Grafana's variables replaced so that Prometheus can evaluate them, and the metric
 * names each one reads.
 */
record GrafanaDashboard(String title, List<Query> queries) {

    /** The dashboard in the repository. */
    static final Path FILE = Path.of("docs", "grafana", "cnai.json");

    /** One target: the panel's title, the target's refId and its PromQL as written in the dashboard. */
    record Query(String panel, String refId, String expr) {
        /** {@code panel [refId]}, for messages. */
        String name() {
            return panel + " [" + refId + "]";
        }
    }

    /** PromQL's functions, aggregation operators and keywords: identifiers that are not metric names. */
    private static final Set<String> PROMQL_WORDS = Set.of("abs", "absent", "absent_over_time", "acos", "acosh",
            "asin", "asinh", "atan", "atanh", "avg", "avg_over_time", "bool", "bottomk", "ceil", "changes", "clamp",
            "clamp_max", "clamp_min", "cos", "cosh", "count", "count_over_time", "count_values", "day_of_month",
            "day_of_week", "day_of_year", "days_in_month", "deg", "delta", "deriv", "exp", "floor", "group",
            "group_left", "group_right", "histogram_avg", "histogram_count", "histogram_fraction",
            "histogram_quantile", "histogram_stddev", "histogram_stdvar", "histogram_sum", "holt_winters", "hour",
            "idelta", "increase", "irate", "label_join", "label_replace", "last_over_time", "limitk", "limit_ratio",
            "ln", "log10", "log2", "mad_over_time", "max", "max_over_time", "min", "min_over_time", "minute", "month",
            "offset", "predict_linear", "present_over_time", "quantile", "quantile_over_time", "rad", "rate",
            "resets", "round", "scalar", "sgn", "sin", "sinh", "sort", "sort_by_label", "sort_by_label_desc",
            "sort_desc", "sqrt", "stddev", "stddev_over_time", "stdvar", "stdvar_over_time", "sum", "sum_over_time",
            "tan", "tanh", "time", "timestamp", "topk", "vector", "year", "and", "or", "unless", "by", "without",
            "on", "ignoring", "atan2", "inf", "nan", "start", "end");
    /** Label lists after by, without, on, ignoring, group_left and group_right: label names, not metrics. */
    private static final Pattern LABEL_LIST = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w:.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?=\\s*[{\\[)]|\\s|$)");

    /** Reads the dashboard JSON at {@code file}. */
    static GrafanaDashboard read(Path file) throws IOException {
        JsonNode root = EventCodec.mapper().readTree(Files.readString(file));
        List<Query> out = new ArrayList<>();
        collect(root.path("panels"), out);
        return new GrafanaDashboard(root.path("title").asText(), List.copyOf(out));
    }

    private static void collect(JsonNode panels, List<Query> out) {
        for (JsonNode p : panels) {
            for (JsonNode t : p.path("targets")) {
                out.add(new Query(p.path("title").asText(), t.path("refId").asText(), t.path("expr").asText()));
            }
            collect(p.path("panels"), out); // a collapsed row holds its panels
        }
    }

    /**
     * {@code expr} with Grafana's variables replaced by {@code values} (name without {@code $} → value), in both the
     * {@code $name} and {@code ${name}} forms; longer names first, so {@code $__rate_interval} is not read as
     * {@code $__rate} + {@code _interval}.
     */
    static String substitute(String expr, Map<String, String> values) {
        String out = expr;
        List<String> names = new ArrayList<>(values.keySet());
        names.sort((a, b) -> b.length() - a.length());
        for (String n : names) {
            out = out.replace("${" + n + "}", values.get(n)).replace("$" + n, values.get(n));
        }
        return out;
    }

    /**
     * The metric names {@code promql} reads: identifiers followed by {@code {}, {@code [}, {@code )}, white space or
     * the end, that are not PromQL's functions or keywords, outside strings, label matchers, label lists and range
     * durations.
     */
    static Set<String> metricNames(String promql) {
        String s = STRING.matcher(promql).replaceAll("\"\"");
        s = s.replaceAll("\\{[^}]*}", "{}").replaceAll("\\[[^]]*]", "[]");
        s = LABEL_LIST.matcher(s).replaceAll("$1 ()");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String id = m.group(1);
            if (!PROMQL_WORDS.contains(id.toLowerCase(java.util.Locale.ROOT))) {
                names.add(id);
            }
        }
        return names;
    }

    /** Every metric name the dashboard's queries read. */
    Set<String> metricNames() {
        Set<String> all = new TreeSet<>();
        queries.forEach(q -> all.addAll(metricNames(q.expr())));
        return all;
    }
}
