package dev.cnai.cli.report;

import static dev.cnai.cli.report.Html.escape;
import static dev.cnai.cli.report.Html.num;

import dev.cnai.cli.report.Charts.Bar;
import dev.cnai.cli.report.Charts.Marker;
import dev.cnai.cli.report.Charts.Point;
import dev.cnai.cli.report.Charts.Range;
import dev.cnai.cli.report.Charts.Series;
import dev.cnai.energy.EnergySource;
import dev.cnai.energy.StepEnergy;
import dev.cnai.events.ClassificationMetrics;
import dev.cnai.events.Decision;
import dev.cnai.events.EventCodec;
import dev.cnai.events.ModelEvaluated;
import dev.cnai.events.ShardTrained;
import dev.cnai.pipeline.EvaluateStep.RoundResult;
import dev.cnai.pipeline.RegisterStep.Registration;
import dev.cnai.pipeline.RunPlan;
import dev.cnai.registry.ModelAnnotations;
import dev.cnai.registry.ModelVersion;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Renders a {@link RunReport} as one self-contained HTML page: inline SVG and CSS, no script, nothing fetched. */
public final class ReportPage {
    /** What a section shows when the run did not record its data. */
    public static final String NOT_RECORDED = "not recorded";

    /** The order in which steps run, for tables. */
    private static final List<String> STEPS = List.of("preprocess", "train-shard", "evaluate", "register", "infer");

    private ReportPage() {
    }

    public static String render(RunReport r) {
        StringBuilder b = new StringBuilder(64 * 1024);
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">")
                .append("<title>Run ").append(escape(r.runId())).append(" — CNAI report</title><style>")
                .append("body{font-family:sans-serif;margin:24px;color:#222;max-width:1200px}")
                .append("h1{font-size:22px}h2{font-size:17px;border-bottom:1px solid #ccc;padding-bottom:3px;margin-top:28px}")
                .append("table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}")
                .append("th{background:#f4f4f4}td.l,th.l{text-align:left}.missing{color:#a33;font-style:italic}")
                .append(".grid{display:flex;flex-wrap:wrap;gap:16px}.note{color:#555;font-size:13px}code{font-size:12px}")
                .append("</style></head><body>\n");
        b.append("<h1>Run <code>").append(escape(r.runId())).append("</code></h1>\n");
        if (r.isEmpty()) {
            b.append("<p class=\"missing\">nothing is recorded for this run in the store</p></body></html>\n");
            return b.toString();
        }
        summary(b, r);
        curves(b, r);
        shardSpread(b, r);
        confusion(b, r);
        perClass(b, r);
        times(b, r);
        energy(b, r);
        lineage(b, r);
        b.append("<p class=\"note\">Written by <code>cnai report</code> from the run's records in the object store ")
                .append("(<code>runs/").append(escape(r.runId())).append("/</code>).</p></body></html>\n");
        return b.toString();
    }

    private static void missing(StringBuilder b, String what) {
        b.append("<p class=\"missing\">").append(escape(what)).append(": ").append(NOT_RECORDED).append("</p>\n");
    }

    private static void summary(StringBuilder b, RunReport r) {
        b.append("<section id=\"summary\"><table>");
        row(b, "status", status(r));
        r.plan().ifPresent(p -> {
            row(b, "model", p.modelName() + " (" + EventCodec.mapper().valueToTree(p.model()) + ")");
            row(b, "started", Instant.ofEpochMilli(p.createdAtMillis()).toString());
        });
        r.evaluated().ifPresent(e -> {
            row(b, "test accuracy", num(100 * e.test().accuracy(), 2) + " % on " + e.test().samples() + " rows");
            row(b, "test macro-F1", num(e.test().macroF1(), 4));
            row(b, "rounds", e.rounds() + " (best round " + e.bestRound() + ")");
        });
        if (!r.rounds().isEmpty()) {
            row(b, "training time", num(r.rounds().get(r.rounds().size() - 1).elapsedMillis() / 1000.0, 1)
                    + " s (plan written → last round decided)");
        }
        if (!r.energy().isEmpty()) {
            row(b, "energy", num(totalJoules(r.energy()), 1) + " J (" + methodWord(r.energy()) + ")");
        }
        b.append("</table></section>\n");
    }

    private static String status(RunReport r) {
        if (r.registration().isPresent()) {
            Registration g = r.registration().get();
            return g.accepted() ? "registered " + g.reference() : "rejected: " + g.reason();
        }
        if (r.evaluated().isPresent()) {
            return "evaluated, not registered (yet)";
        }
        return r.rounds().isEmpty() ? "prepared" : "training (" + r.rounds().size() + " rounds decided)";
    }

    private static void curves(StringBuilder b, RunReport r) {
        b.append("<h2 id=\"curves\">Loss and accuracy per round</h2>\n");
        if (r.rounds().isEmpty()) {
            missing(b, "round results");
            return;
        }
        List<Marker> markers = markers(r);
        List<Point> train = new ArrayList<>();
        List<Point> val = new ArrayList<>();
        List<Point> acc = new ArrayList<>();
        List<Point> trainAcc = new ArrayList<>();
        for (RoundResult x : r.rounds()) {
            train.add(new Point(x.round(), x.trainLoss()));
            val.add(new Point(x.round(), x.validationLoss()));
            acc.add(new Point(x.round(), 100 * x.validationAccuracy()));
            if (x.trainAccuracy() != null) {
                trainAcc.add(new Point(x.round(), 100 * x.trainAccuracy()));
            }
        }
        List<Series> accuracy = trainAcc.isEmpty() ? List.of(new Series("validation", acc))
                : List.of(new Series("train (sample)", trainAcc), new Series("validation", acc));
        b.append("<div class=\"grid\">")
                .append(Charts.lines("Loss", "round", "mean cross-entropy",
                        List.of(new Series("train (shards, during local epochs)", train), new Series("validation", val)),
                        markers))
                .append(Charts.lines("Accuracy", "round", "%", accuracy, markers))
                .append("</div>\n");
        b.append("<p class=\"note\">Train loss: the shards' mean loss during their local epochs, weighted by shard ")
                .append("size. Train accuracy: the averaged model on a fixed sample of training rows as large as the ")
                .append("validation split")
                .append(trainAcc.size() < r.rounds().size() ? " (" + NOT_RECORDED + " for "
                        + (r.rounds().size() - trainAcc.size()) + " of the rounds: recorded before it existed)" : "")
                .append(". Validation: the averaged model scored with ONNX Runtime.</p>\n");
        b.append("<table><tr><th>round</th><th>train loss</th><th>val loss</th><th>train acc</th><th>val acc</th>")
                .append("<th>decision</th><th>best round</th></tr>");
        for (RoundResult x : r.rounds()) {
            b.append("<tr><td>").append(x.round()).append("</td><td>").append(num(x.trainLoss(), 4)).append("</td><td>")
                    .append(num(x.validationLoss(), 4)).append("</td><td>")
                    .append(x.trainAccuracy() == null ? NOT_RECORDED : num(100 * x.trainAccuracy(), 2) + " %")
                    .append("</td><td>").append(num(100 * x.validationAccuracy(), 2))
                    .append(" %</td><td class=\"l\">").append(escape(x.decision().json())).append("</td><td>")
                    .append(x.bestRound()).append("</td></tr>");
        }
        b.append("</table>\n");
    }

    private static List<Marker> markers(RunReport r) {
        List<Marker> out = new ArrayList<>();
        RoundResult last = r.rounds().get(r.rounds().size() - 1);
        int best = r.evaluated().map(ModelEvaluated::bestRound).orElse(last.bestRound());
        out.add(new Marker(best, "best round " + best));
        if (last.decision() == Decision.EARLY_STOP) {
            out.add(new Marker(last.round(), "early stop"));
        }
        return out;
    }

    private static void shardSpread(StringBuilder b, RunReport r) {
        b.append("<h2 id=\"shards\">Training loss per shard</h2>\n");
        List<Range> ranges = new ArrayList<>();
        r.shardReports().forEach((round, reports) -> ranges.add(new Range(round,
                reports.stream().map(ShardTrained::trainLoss).toList())));
        if (ranges.stream().allMatch(x -> x.values().isEmpty())) {
            missing(b, "shard reports");
            return;
        }
        b.append(Charts.ranges("Shard loss spread per round", "round", "mean training loss", ranges)).append('\n');
        b.append("<table><tr><th>round</th>");
        int shards = r.shardReports().values().stream().mapToInt(List::size).max().orElse(0);
        for (int s = 0; s < shards; s++) {
            b.append("<th>shard ").append(s).append("</th>");
        }
        b.append("<th>spread</th></tr>");
        r.shardReports().forEach((round, reports) -> {
            b.append("<tr><td>").append(round).append("</td>");
            for (ShardTrained t : reports) {
                b.append("<td>").append(num(t.trainLoss(), 4)).append("</td>");
            }
            for (int s = reports.size(); s < shards; s++) {
                b.append("<td class=\"missing\">").append(NOT_RECORDED).append("</td>");
            }
            double min = reports.stream().mapToDouble(ShardTrained::trainLoss).min().orElse(Double.NaN);
            double max = reports.stream().mapToDouble(ShardTrained::trainLoss).max().orElse(Double.NaN);
            b.append("<td>").append(num(max - min, 4)).append("</td></tr>");
        });
        b.append("</table>\n");
    }

    private static void confusion(StringBuilder b, RunReport r) {
        b.append("<h2 id=\"confusion\">Test confusion matrix</h2>\n");
        ClassificationMetrics m = r.evaluated().map(ModelEvaluated::test).orElse(null);
        if (m == null || m.confusion() == null || m.confusion().length == 0) {
            missing(b, "test metrics");
            return;
        }
        b.append(Charts.heatmap("Confusion matrix (test split, " + m.samples() + " rows)", labels(m.confusion().length),
                m.confusion())).append('\n');
    }

    private static void perClass(StringBuilder b, RunReport r) {
        b.append("<h2 id=\"classes\">Per-class precision and recall (test split)</h2>\n");
        ClassificationMetrics m = r.evaluated().map(ModelEvaluated::test).orElse(null);
        if (m == null || m.precision() == null || m.recall() == null) {
            missing(b, "per-class metrics");
            return;
        }
        List<Point> p = new ArrayList<>();
        List<Point> rc = new ArrayList<>();
        b.append("<table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>");
        for (int k = 0; k < m.precision().length; k++) {
            long support = m.confusion() != null && k < m.confusion().length
                    ? java.util.Arrays.stream(m.confusion()[k]).sum() : 0;
            b.append("<tr><td>").append(k).append("</td><td>").append(num(m.precision()[k], 4)).append("</td><td>")
                    .append(k < m.recall().length ? num(m.recall()[k], 4) : NOT_RECORDED).append("</td><td>")
                    .append(m.f1() != null && k < m.f1().length ? num(m.f1()[k], 4) : NOT_RECORDED).append("</td><td>")
                    .append(support).append("</td></tr>");
            p.add(new Point(k, m.precision()[k]));
            if (k < m.recall().length) {
                rc.add(new Point(k, m.recall()[k]));
            }
        }
        b.append("</table>\n");
        b.append(Charts.lines("Precision and recall per class", "class", "", List.of(new Series("precision", p),
                new Series("recall", rc)), List.of())).append('\n');
    }

    private static void times(StringBuilder b, RunReport r) {
        b.append("<h2 id=\"times\">Time per step and per round</h2>\n");
        if (r.energy().isEmpty()) {
            missing(b, "time per step");
        } else {
            Map<String, List<StepEnergy>> byStep = byStep(r.energy());
            b.append("<table><tr><th class=\"l\">step</th><th>events</th><th>wall s (sum)</th><th>wall s (max)</th>")
                    .append("<th>CPU s</th></tr>");
            List<Bar> bars = new ArrayList<>();
            byStep.forEach((step, list) -> {
                double wall = list.stream().mapToDouble(StepEnergy::wallSeconds).sum();
                b.append("<tr><td class=\"l\">").append(escape(step)).append("</td><td>").append(list.size())
                        .append("</td><td>").append(num(wall, 2)).append("</td><td>")
                        .append(num(list.stream().mapToDouble(StepEnergy::wallSeconds).max().orElse(0), 2))
                        .append("</td><td>").append(num(list.stream().mapToDouble(StepEnergy::cpuSeconds).sum(), 2))
                        .append("</td></tr>");
                bars.add(new Bar(step, wall));
            });
            b.append("</table>\n").append(Charts.bars("Handling time per step (sum over its events)", "s", bars))
                    .append('\n');
        }
        if (r.rounds().isEmpty()) {
            missing(b, "time per round");
            return;
        }
        Map<Integer, List<StepEnergy>> perRound = r.energy().stream().filter(e -> e.round() != null)
                .collect(Collectors.groupingBy(StepEnergy::round, TreeMap::new, Collectors.toList()));
        b.append("<table><tr><th>round</th><th>round time s</th><th>slowest shard s</th><th>evaluate s</th></tr>");
        List<Bar> bars = new ArrayList<>();
        long previous = 0;
        boolean first = true;
        for (RoundResult x : r.rounds()) {
            double seconds = (x.elapsedMillis() - (first ? 0 : previous)) / 1000.0;
            List<StepEnergy> events = perRound.getOrDefault(x.round(), List.of());
            b.append("<tr><td>").append(x.round()).append("</td><td>").append(num(seconds, 2)).append("</td><td>")
                    .append(cell(events, "train-shard", true)).append("</td><td>").append(cell(events, "evaluate", false))
                    .append("</td></tr>");
            bars.add(new Bar("round " + x.round(), seconds));
            previous = x.elapsedMillis();
            first = false;
        }
        b.append("</table>\n<p class=\"note\">Round time: from the plan (round 1) or the previous round's decision to ")
                .append("this round's decision, as evaluate recorded it.</p>\n")
                .append(Charts.bars("Time per round", "s", bars)).append('\n');
    }

    private static String cell(List<StepEnergy> events, String step, boolean max) {
        List<StepEnergy> of = events.stream().filter(e -> step.equals(e.function())).toList();
        if (of.isEmpty()) {
            return "<span class=\"missing\">" + NOT_RECORDED + "</span>";
        }
        return num(max ? of.stream().mapToDouble(StepEnergy::wallSeconds).max().orElse(0)
                : of.stream().mapToDouble(StepEnergy::wallSeconds).sum(), 2);
    }

    private static void energy(StringBuilder b, RunReport r) {
        b.append("<h2 id=\"energy\">Energy</h2>\n");
        if (r.energy().isEmpty()) {
            missing(b, "energy");
            return;
        }
        b.append("<p>Total <b>").append(num(totalJoules(r.energy()), 1)).append(" J</b> (")
                .append(num(totalJoules(r.energy()) / 3600, 3)).append(" Wh), ")
                .append(escape(methodWord(r.energy()))).append(".</p>\n");
        Map<String, List<StepEnergy>> byStep = byStep(r.energy());
        b.append("<table><tr><th class=\"l\">step</th><th>joules</th><th>share</th><th>CPU s</th><th class=\"l\">source</th></tr>");
        List<Bar> bars = new ArrayList<>();
        double total = totalJoules(r.energy());
        byStep.forEach((step, list) -> {
            double j = totalJoules(list);
            b.append("<tr><td class=\"l\">").append(escape(step)).append("</td><td>").append(num(j, 2)).append("</td><td>")
                    .append(total > 0 ? num(100 * j / total, 1) : "0").append(" %</td><td>")
                    .append(num(list.stream().mapToDouble(StepEnergy::cpuSeconds).sum(), 2))
                    .append("</td><td class=\"l\">").append(escape(list.stream().map(e -> e.source().wireName())
                            .distinct().collect(Collectors.joining(", ")))).append("</td></tr>");
            bars.add(new Bar(step, j));
        });
        b.append("<tr><th class=\"l\">total</th><th>").append(num(total, 2)).append("</th><th>100 %</th><th>")
                .append(num(r.energy().stream().mapToDouble(StepEnergy::cpuSeconds).sum(), 2)).append("</th><th></th></tr>");
        b.append("</table>\n").append(Charts.bars("Energy per step", "J", bars)).append('\n');
        b.append("<p class=\"note\">Method: ").append(escape(r.energy().stream().map(StepEnergy::method).distinct()
                .collect(Collectors.joining("; ")))).append(". Per event, the process's CPU time while it handled the ")
                .append("event (shared equally with events handled at the same time); the broker, idle time between ")
                .append("events and the machine's other load are not included. GPU energy: ").append(NOT_RECORDED)
                .append(".</p>\n");
    }

    private static void lineage(StringBuilder b, RunReport r) {
        b.append("<h2 id=\"lineage\">Lineage and registry</h2>\n");
        if (r.registration().isEmpty() && r.plan().isEmpty()) {
            missing(b, "lineage");
            return;
        }
        b.append("<table>");
        r.registration().ifPresent(g -> {
            row(b, "registry reference", g.accepted() ? g.reference() : "none (rejected: " + g.reason() + ")");
            row(b, "version", g.version());
            row(b, "manifest digest", g.manifestDigest());
            row(b, "model (ONNX) digest", g.modelDigest());
            row(b, "quality gate", "minimum accuracy " + num(g.minAccuracy(), 4) + ", candidate " + num(g.accuracy(), 4));
        });
        if (r.registration().isEmpty()) {
            row(b, "registry reference", NOT_RECORDED);
        }
        r.plan().ifPresent(p -> lineageOfPlan(b, p));
        if (r.version().isPresent()) {
            ModelVersion v = r.version().get();
            Map<String, String> a = v.annotations();
            row(b, "parent version", a.getOrDefault(ModelAnnotations.PARENT_VERSION, "none (first version)"));
            row(b, "test split digest", a.getOrDefault(ModelAnnotations.TEST_DIGEST, NOT_RECORDED));
            row(b, "created", a.getOrDefault(ModelAnnotations.OCI_CREATED, NOT_RECORDED));
            row(b, "aliases now", v.aliases().isEmpty() ? "none" : String.join(", ", v.aliases()));
        } else {
            row(b, "parent version", NOT_RECORDED + " (" + (r.registryNote() == null ? "" : r.registryNote()) + ")");
        }
        b.append("</table>\n");
    }

    private static void lineageOfPlan(StringBuilder b, RunPlan p) {
        row(b, "dataset", p.dataset().format() + " " + p.dataset().uri());
        row(b, "dataset digest", p.datasetDigest());
        row(b, "shards", Integer.toString(p.shards().size()));
        row(b, "hyper-parameters", EventCodec.mapper().valueToTree(p.training()).toString());
    }

    private static void row(StringBuilder b, String key, String value) {
        b.append("<tr><th class=\"l\">").append(escape(key)).append("</th><td class=\"l\">")
                .append(value == null ? "<span class=\"missing\">" + NOT_RECORDED + "</span>" : escape(value))
                .append("</td></tr>");
    }

    private static Map<String, List<StepEnergy>> byStep(List<StepEnergy> energy) {
        Map<String, List<StepEnergy>> out = new LinkedHashMap<>();
        for (String s : STEPS) {
            List<StepEnergy> of = energy.stream().filter(e -> s.equals(e.function())).toList();
            if (!of.isEmpty()) {
                out.put(s, of);
            }
        }
        energy.stream().filter(e -> !STEPS.contains(e.function()))
                .forEach(e -> out.computeIfAbsent(e.function(), k -> new ArrayList<>()).add(e));
        return out;
    }

    private static double totalJoules(List<StepEnergy> energy) {
        return energy.stream().mapToDouble(StepEnergy::joules).sum();
    }

    /** "measured (RAPL)", "estimated from CPU time" or both. */
    private static String methodWord(List<StepEnergy> energy) {
        boolean rapl = energy.stream().anyMatch(e -> e.source() == EnergySource.RAPL);
        boolean est = energy.stream().anyMatch(e -> e.source() == EnergySource.ESTIMATE);
        return rapl && est ? "partly measured (RAPL), partly estimated from CPU time"
                : rapl ? "measured (RAPL package counters)" : "estimated from CPU time, not measured";
    }

    private static List<String> labels(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Integer.toString(i));
        }
        return out;
    }
}
