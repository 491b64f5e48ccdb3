package dev.cnai.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cnai.cli.soak.HeapHistogram;
import dev.cnai.cli.soak.HeapInfo;
import dev.cnai.cli.soak.InferLoad;
import dev.cnai.cli.soak.ProcStats;
import dev.cnai.cli.soak.Trend;
import dev.cnai.events.EventCodec;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What a soak measured and whether anything grew per run. The trend of a metric is its least-squares slope against
 * the run number over the samples after the warm-up runs ({@link #DEFAULT_WARM_UP_RUNS} by default; at least
 * {@link #MIN_FITTED} runs fitted after them for a verdict). A metric
 * is flat when that slope is within its tolerance:
 * <ul>
 * <li>RSS outside the Java heap: 1 MiB/run. That is RSS minus the resident pages of the heap's reserved address range
 * ({@code jcmd GC.heap_info} for the range, {@code /proc/<pid>/smaps} for what of it is resident; see {@link HeapInfo}),
 * i.e. Metaspace, code cache, thread stacks, GC structures, malloc arenas and native libraries. Raw RSS is reported,
 * not judged, whenever the heap could be read: it can also grow, with nothing leaking, when the collector resizes its
 * generations or promotes into committed but never-touched heap pages (a JVM commits its initial heap at start, Linux
 * backs a page at its first write), in steps of several MiB while the live heap stays flat. Committed heap does not
 * separate the two (it stays constant while its resident part grows), the heap's resident pages do. A leak on the heap
 * shows in the live heap and the retained objects, one outside it in this metric. Without {@code jcmd} the raw RSS is judged at
 * 1 MiB/run instead;</li>
 * <li>live heap after a full GC ({@code jcmd GC.class_histogram}): 64 KiB/run;</li>
 * <li>OS threads and open file descriptors ({@code /proc}): 0.25/run — a leak of one per run gives 1, one pool
 * thread or pooled connection more or less during a sample moves the slope by less than 0.1 over 17 runs;</li>
 * <li>retained objects: no class whose live instance count rises in at least 80 % of the steps with a slope of at
 * least one instance per run and a growing byte count (the fingerprint of a map that gains an entry per run and is
 * never pruned; a count that rises while the bytes fall is a pool reshaping itself); for the plain
 * value classes {@code String}, {@code byte[]} and {@code char[]} at least 100 per run, since every function's string
 * count creeps up by 20-40 per run from its request paths while the heap stays flat, and a leak that holds strings
 * also holds its nodes or entries, which are judged at one per run.</li>
 * </ul>
 * The object store, the registry and the broker's event log grow with runs by design; their growth per run is
 * reported, not judged. The broker's in-memory event window is bounded (10,000 events), so the broker's live heap
 * grows with it until then: its heap tolerance is raised by 8 KiB per event it took in per run (measured: 6.6 KiB
 * per event held, JSON tree and dedupe entry) and classes that back that window are excused from the retention check;
 * its RSS (plain Java, no native code: the heap's first-touched pages up to -Xmx256m) is reported, not judged, even
 * without the heap's address range when the live heap is measured.
 */
final class SoakReport {
    /**
     * Runs left out of the trend by default: the JIT is still compiling and glibc's malloc arenas (ONNX Runtime's
     * allocations) still growing for the first ten or so runs — measured in train-shard's smaps, runs 4 to 19: code
     * cache +3.9 MiB, malloc arenas +5.4 MiB, Java heap +0.6 MiB — and both level off (a 60-run soak: +0.17 MiB/run over
     * runs 21..40). A leak grows for ever; warm-up does not, so the window starts after it.
     */
    static final int DEFAULT_WARM_UP_RUNS = 10;
    /** The fewest runs fitted after the warm-up for a verdict. */
    static final int MIN_FITTED = 5;
    static final double RSS_MIB_PER_RUN = 1.0;
    static final double HEAP_KIB_PER_RUN = 64;
    static final double COUNT_PER_RUN = 0.25;
    static final double CLASS_INSTANCES_PER_RUN = 1.0;
    static final double CLASS_RISING_STEPS = 0.8;
    static final double BROKER_KIB_PER_EVENT = 8;
    /** Plain value holders: judged at {@link #VALUE_INSTANCES_PER_RUN}, since a leak also retains its holders. */
    static final Set<String> VALUE_CLASSES = Set.of("java.lang.String", "[B", "[C");
    static final double VALUE_INSTANCES_PER_RUN = 100;

    /** One process after a run; {@code heap} and {@code heapInfo} are null when not measured. */
    record ProcessSample(ProcStats proc, HeapHistogram heap, HeapInfo heapInfo, Map<String, Double> metrics) {
        ProcessSample(ProcStats proc, HeapHistogram heap, Map<String, Double> metrics) {
            this(proc, heap, null, metrics);
        }
    }

    record Tree(long bytes, long files) {
    }

    record Sample(Map<String, ProcessSample> processes, long eventsFileBytes, long deadLetterBytes, long eventsInMemory,
            Tree store, Tree registry) {
    }

    /** A sampled metric; {@code info} is the verdict when it is reported, not judged (tolerance NaN). */
    private record Metric(String label, String key, double tolerance, Function<ProcessSample, Double> value, String info) {
    }

    private static final List<Metric> METRICS = List.of(
            new Metric("RSS MiB", "rss_mib", RSS_MIB_PER_RUN, s -> s.proc().rssKib() / 1024.0,
                    "info (includes heap resizing)"),
            new Metric("RSS outside the Java heap MiB", "rss_outside_heap_mib", RSS_MIB_PER_RUN,
                    s -> s.heapInfo() == null ? null : (s.proc().rssKib() - s.heapInfo().inRssKib()) / 1024.0, null),
            new Metric("heap resident MiB", "heap_resident_mib", Double.NaN,
                    s -> s.heapInfo() == null || s.heapInfo().residentKib() < 0 ? null : s.heapInfo().residentKib() / 1024.0,
                    "info (in RSS)"),
            new Metric("heap committed MiB", "heap_committed_mib", Double.NaN,
                    s -> s.heapInfo() == null ? null : s.heapInfo().committedKib() / 1024.0, "info (GC sizing)"),
            new Metric("Metaspace committed MiB", "metaspace_committed_mib", Double.NaN,
                    s -> s.heapInfo() == null || s.heapInfo().metaspaceCommittedKib() < 0 ? null
                            : s.heapInfo().metaspaceCommittedKib() / 1024.0, "info (outside heap)"),
            new Metric("live heap MiB", "heap_live_mib", HEAP_KIB_PER_RUN / 1024,
                    s -> s.heap() == null ? null : s.heap().bytes() / 1048576.0, null),
            new Metric("threads", "threads", COUNT_PER_RUN, s -> (double) s.proc().threads(), null),
            new Metric("open fds", "fds", COUNT_PER_RUN, s -> (double) s.proc().fds(), null),
            new Metric("java threads (q/metrics)", "java_threads", COUNT_PER_RUN, s -> s.metrics().get("java_threads"), null),
            new Metric("heap used MiB (q/metrics)", "heap_used_mib", Double.NaN,
                    s -> s.metrics().containsKey("heap_used_bytes") ? s.metrics().get("heap_used_bytes") / 1048576.0 : null,
                    "info (before GC)"));

    /** Classes that hold the broker's bounded event window and dedupe set (they grow with events until the bound). */
    private static final List<String> BROKER_WINDOW_CLASSES = List.of("com.fasterxml.jackson.databind.node.",
            "dev.cnai.broker.EventLog$AcceptedEvent", "java.lang.String", "[B", "java.util.LinkedHashMap",
            "java.util.HashMap$Node", "java.util.ArrayDeque", "[Ljava.lang.Object;", "java.time.Instant",
            "java.util.ArrayList", "[Ljava.util.HashMap$Node;", "java.util.concurrent.ConcurrentHashMap$Node",
            "java.util.LinkedHashMap$Entry");

    private final int runs;
    private final int warmUp;
    private final boolean heap;
    private final TreeMap<Integer, Sample> samples = new TreeMap<>();
    private int registered;
    private int rejected;
    private int ended;
    private final List<String> grew = new ArrayList<>();
    private final ObjectNode slopes = EventCodec.mapper().createObjectNode();
    private final ArrayNode suspects = EventCodec.mapper().createArrayNode();
    private InferLoad load;
    private double eventsPerRun;
    private double storeKibPerRun;

    /**
     * @param warmUp runs left out of the trend (their samples are still taken and written to the CSV)
     * @param runs   all runs, the warm-up included
     */
    SoakReport(int warmUp, int runs, boolean heap) {
        this.warmUp = warmUp;
        this.runs = runs;
        this.heap = heap;
    }

    void outcome(int run, RunWatcher.Outcome r) {
        if ("registered".equals(r.status())) {
            registered++;
        } else if ("rejected".equals(r.status())) {
            rejected++;
        }
        ended = run;
    }

    void sample(int run, Sample s) {
        samples.put(run, s);
    }

    static final String CSV_HEADER = "run,process,rss_kib,threads,fds,heap_live_bytes,java_threads,store_bytes,"
            + "events_in_memory,heap_committed_kib,heap_resident_kib,metaspace_committed_kib\n";

    /** The sample as CSV rows, one per process (heap figures -1 when not measured). */
    static String csv(int run, Sample s) {
        StringBuilder sb = new StringBuilder();
        s.processes().forEach((proc, ps) -> sb.append(run).append(',').append(proc).append(',')
                .append(ps.proc().rssKib()).append(',').append(ps.proc().threads()).append(',').append(ps.proc().fds())
                .append(',').append(ps.heap() == null ? -1 : ps.heap().bytes()).append(',')
                .append(ps.metrics().getOrDefault("java_threads", -1.0).longValue()).append(',')
                .append(s.store().bytes()).append(',').append(s.eventsInMemory()).append(',')
                .append(ps.heapInfo() == null ? -1 : ps.heapInfo().committedKib()).append(',')
                .append(ps.heapInfo() == null ? -1 : ps.heapInfo().residentKib()).append(',')
                .append(ps.heapInfo() == null ? -1 : ps.heapInfo().metaspaceCommittedKib()).append('\n'));
        return sb.toString();
    }

    void load(InferLoad l) {
        this.load = l;
    }

    List<String> grew() {
        return grew;
    }

    /** Runs whose samples count for the trend: after the warm-up. */
    private List<Integer> window() {
        List<Integer> all = new ArrayList<>(samples.keySet());
        return all.subList(Math.min(warmUp, all.size()), all.size());
    }

    /** Prints the tables and verdicts; true when nothing grew per run. */
    boolean print(PrintStream out) {
        int minRuns = warmUp + MIN_FITTED;
        if (samples.size() < minRuns) {
            out.println("too few runs (" + samples.size() + ") to judge a trend: need " + minRuns
                    + " (" + warmUp + " warm-up runs and " + MIN_FITTED + " to fit)");
            grew.add("too few runs to judge (" + samples.size() + " < " + minRuns + ")");
            return false;
        }
        List<Integer> win = window();
        Sample first = samples.get(win.get(0));
        Sample last = samples.lastEntry().getValue();
        eventsPerRun = slopeOf(win, s -> (double) s.eventsInMemory());
        out.printf(Locale.ROOT, "%nper process: start = after run %d (warmed up, load running), end = after run %d; "
                + "per run = least-squares slope over runs %d..%d%n", win.get(0), samples.lastKey(), win.get(0),
                win.get(win.size() - 1));
        out.printf("%-12s %-30s %10s %10s %10s %8s  %s%n", "process", "metric", "start", "end", "per run", "limit", "verdict");
        for (String proc : first.processes().keySet()) {
            ObjectNode ps = slopes.putObject(proc);
            for (Metric m : METRICS) {
                Double a = m.value().apply(first.processes().get(proc));
                Double b = m.value().apply(last.processes().get(proc));
                if (a == null || b == null) {
                    continue;
                }
                double slope = slopeOf(win, s -> {
                    Double v = m.value().apply(s.processes().get(proc));
                    return v == null ? 0.0 : v;
                });
                double tol = m.tolerance();
                if ("broker".equals(proc) && m.key().equals("heap_live_mib")) {
                    tol += Math.max(0, eventsPerRun) * BROKER_KIB_PER_EVENT / 1024;
                }
                String info = m.info();
                if (m.key().equals("rss_mib") && first.processes().get(proc).heapInfo() != null
                        && last.processes().get(proc).heapInfo() != null) {
                    tol = Double.NaN; // judged as RSS outside the Java heap, and the heap as live heap and retained objects
                } else if ("broker".equals(proc) && m.key().equals("rss_mib") && heap) {
                    tol = Double.NaN; // no native code: its RSS is the heap's first-touched pages, judged as live heap
                    info = "info (follows the heap)";
                }
                String verdict;
                if (Double.isNaN(tol)) {
                    verdict = info;
                } else if (slope <= tol) {
                    verdict = "flat";
                } else {
                    verdict = "GREW";
                    grew.add(String.format(Locale.ROOT, "%s %s %+.3f/run (limit %.3f)", proc, m.key(), slope, tol));
                }
                ps.put(m.key() + "_per_run", round(slope, 4));
                out.printf(Locale.ROOT, "%-12s %-30s %10.2f %10.2f %+10.3f %8s  %s%n", proc, m.label(), a, b, slope,
                        Double.isNaN(tol) ? "-" : String.format(Locale.ROOT, "%.3f", tol), verdict);
            }
        }
        if (heap) {
            printRetention(out, win);
        }
        printStores(out, win, first, last);
        printLoad(out);
        return grew.isEmpty();
    }

    /** One class whose live instance count grew over the trend window. */
    private record Retained(String process, String cls, double perRun, double bytesPerRun, double rising, long from,
            long to, String excused) {
    }

    private void printRetention(PrintStream out, List<Integer> win) {
        out.printf(Locale.ROOT, "%nretained objects (live after full GC) whose count rose in >= %.0f%% of the steps of runs "
                + "%d..%d, by >= %.0f instance/run:%n", 100 * CLASS_RISING_STEPS, win.get(0), win.get(win.size() - 1),
                CLASS_INSTANCES_PER_RUN);
        boolean header = false;
        Sample last = samples.lastEntry().getValue();
        for (String proc : last.processes().keySet()) {
            List<Retained> found = retained(proc, win);
            found.sort(Comparator.comparingDouble((Retained r) -> -r.bytesPerRun()));
            List<String> notExcused = new ArrayList<>();
            for (Retained r : found) {
                if (r.excused() == null) {
                    notExcused.add(String.format(Locale.ROOT, "%s %+.1f/run", r.cls(), r.perRun()));
                }
                if (r.excused() == null && suspects.size() < 20) {
                    suspects.addObject().put("process", proc).put("class", r.cls())
                            .put("instances_per_run", round(r.perRun(), 2)).put("bytes_per_run", Math.round(r.bytesPerRun()));
                }
            }
            if (!notExcused.isEmpty()) {
                grew.add(proc + " retains " + notExcused.size() + " classes more every run: "
                        + String.join(", ", notExcused.subList(0, Math.min(4, notExcused.size())))
                        + (notExcused.size() > 4 ? ", …" : ""));
            }
            for (Retained r : found.subList(0, Math.min(8, found.size()))) {
                if (!header) {
                    out.printf("%-12s %-58s %9s %10s %7s %17s  %s%n", "process", "class", "inst/run", "bytes/run", "rising",
                            "instances", "verdict");
                    header = true;
                }
                out.printf(Locale.ROOT, "%-12s %-58s %+9.1f %+10.0f %6.0f%% %17s  %s%n", proc, r.cls(), r.perRun(),
                        r.bytesPerRun(), 100 * r.rising(), r.from() + " -> " + r.to(),
                        r.excused() == null ? "GREW" : r.excused());
            }
            if (found.size() > 8) {
                out.printf("%-12s … and %d more classes%n", proc, found.size() - 8);
            }
        }
        if (!header) {
            out.println("none");
        }
    }

    private List<Retained> retained(String proc, List<Integer> win) {
        List<Retained> found = new ArrayList<>();
        HeapHistogram end = samples.lastEntry().getValue().processes().get(proc).heap();
        if (end == null) {
            return found;
        }
        for (String cls : end.instancesByClass().keySet()) {
            List<Double> counts = new ArrayList<>();
            List<Double> bytes = new ArrayList<>();
            for (int run : win) {
                HeapHistogram h = samples.get(run).processes().get(proc).heap();
                counts.add((double) h.instancesByClass().getOrDefault(cls, 0L));
                bytes.add((double) h.bytesByClass().getOrDefault(cls, 0L));
            }
            double slope = Trend.slope(win, counts);
            double rising = Trend.risingSteps(counts);
            double byteSlope = Trend.slope(win, bytes);
            if (slope >= CLASS_INSTANCES_PER_RUN && rising >= CLASS_RISING_STEPS && byteSlope > 0) {
                String excused = null;
                if ("broker".equals(proc) && BROKER_WINDOW_CLASSES.stream().anyMatch(cls::startsWith)) {
                    excused = "broker event window (bounded)";
                } else if (VALUE_CLASSES.contains(cls) && slope < VALUE_INSTANCES_PER_RUN) {
                    excused = String.format(Locale.ROOT, "drift (value class, < %.0f/run)", VALUE_INSTANCES_PER_RUN);
                }
                found.add(new Retained(proc, cls, slope, byteSlope, rising, Math.round(counts.get(0)),
                        Math.round(counts.get(counts.size() - 1)), excused));
            }
        }
        return found;
    }

    private void printStores(PrintStream out, List<Integer> win, Sample first, Sample last) {
        storeKibPerRun = slopeOf(win, s -> s.store().bytes() / 1024.0);
        out.printf("%ngrowing by design (reported, not judged):%n");
        out.printf("%-40s %12s %12s %12s%n", "what", "start", "end", "per run");
        row(out, "object store KiB", first.store().bytes() / 1024.0, last.store().bytes() / 1024.0, storeKibPerRun);
        row(out, "object store files", first.store().files(), last.store().files(), slopeOf(win, s -> (double) s.store().files()));
        row(out, "registry KiB", first.registry().bytes() / 1024.0, last.registry().bytes() / 1024.0,
                slopeOf(win, s -> s.registry().bytes() / 1024.0));
        row(out, "registry files", first.registry().files(), last.registry().files(),
                slopeOf(win, s -> (double) s.registry().files()));
        row(out, "broker events.jsonl KiB", first.eventsFileBytes() / 1024.0, last.eventsFileBytes() / 1024.0,
                slopeOf(win, s -> s.eventsFileBytes() / 1024.0));
        row(out, "broker events in memory (cap 10,000)", first.eventsInMemory(), last.eventsInMemory(), eventsPerRun);
        row(out, "broker dead-letter.jsonl bytes", first.deadLetterBytes(), last.deadLetterBytes(),
                slopeOf(win, s -> (double) s.deadLetterBytes()));
        if (last.deadLetterBytes() > 0) {
            grew.add("dead letters: " + last.deadLetterBytes() + " bytes in dead-letter.jsonl");
        }
    }

    private void printLoad(PrintStream out) {
        if (load == null) {
            return;
        }
        out.printf(Locale.ROOT, "%ninference: %d sent, %d 2xx, %d 429 (back-pressure), %d other non-2xx, %d transport errors;"
                + " 2xx latency p50 %d ms, p99 %d ms, max %d ms%n", load.sent(), load.ok(), load.backPressure(),
                load.non2xx(), load.errors(), load.latencyQuantileMs(0.5), load.latencyQuantileMs(0.99),
                load.latencyQuantileMs(1.0));
        if (!load.firstErrors().isEmpty()) {
            out.println("first failures: " + load.firstErrors());
        }
    }

    private static void row(PrintStream out, String what, double start, double end, double perRun) {
        out.printf(Locale.ROOT, "%-40s %12.1f %12.1f %+12.2f%n", what, start, end, perRun);
    }

    private double slopeOf(List<Integer> win, Function<Sample, Double> f) {
        List<Double> y = new ArrayList<>();
        for (int run : win) {
            y.add(f.apply(samples.get(run)));
        }
        return Trend.slope(win, y);
    }

    ObjectNode summary() {
        ObjectNode s = EventCodec.mapper().createObjectNode();
        s.put("runs", runs).put("warm_up_runs", warmUp).put("ended", ended).put("registered", registered).put("rejected", rejected);
        s.put("inferences", load == null ? 0 : load.ok());
        s.put("back_pressure_429", load == null ? 0 : load.backPressure());
        s.put("non_2xx", load == null ? 0 : load.non2xx());
        s.put("transport_errors", load == null ? 0 : load.errors());
        s.put("latency_p99_ms", load == null ? -1 : load.latencyQuantileMs(0.99));
        s.put("flat", grew.isEmpty());
        ArrayNode g = s.putArray("grew");
        grew.forEach(g::add);
        s.put("store_kib_per_run", round(storeKibPerRun, 1));
        s.put("events_per_run", round(eventsPerRun, 1));
        s.set("per_run", slopes);
        s.set("retained", suspects);
        return s;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
