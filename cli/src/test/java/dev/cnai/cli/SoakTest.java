package dev.cnai.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.cli.soak.HeapHistogram;
import dev.cnai.cli.soak.InferLoad;
import dev.cnai.cli.soak.ProcStats;
import dev.cnai.cli.soak.Trend;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The soak's pieces that need no stack: trend, histogram parsing, /proc, options. */
class SoakTest {

    @Test
    void slopeIsTheLeastSquaresGrowthPerRun() {
        assertEquals(3.0, Trend.slope(List.of(4, 5, 6, 7), List.of(10.0, 13.0, 16.0, 19.0)), 1e-9);
        assertEquals(0.0, Trend.slope(List.of(4, 5, 6, 7), List.of(5.0, 5.0, 5.0, 5.0)), 1e-9);
        assertEquals(0.0, Trend.slope(List.of(4), List.of(5.0)), 1e-9);
        // one step of +1 in the middle of 17 runs stays well under the 0.25/run tolerance
        List<Integer> x = new java.util.ArrayList<>();
        List<Double> y = new java.util.ArrayList<>();
        for (int run = 4; run <= 20; run++) {
            x.add(run);
            y.add(run < 12 ? 40.0 : 41.0);
        }
        assertTrue(Trend.slope(x, y) < SoakReport.COUNT_PER_RUN, "slope " + Trend.slope(x, y));
        assertEquals(1.0 / 16, Trend.risingSteps(y), 1e-9);
        assertEquals(1.0, Trend.risingSteps(List.of(1.0, 2.0, 3.0)), 1e-9);
    }

    @Test
    void parsesJcmdClassHistograms() {
        HeapHistogram h = HeapHistogram.parse("""
                12345:
                 num     #instances         #bytes  class name (module)
                -------------------------------------------------------
                   1:          1200         960000  [B (java.base@17.0.15)
                   2:            60           1440  java.lang.Object (java.base@17.0.15)
                   3:            60           1920  java.util.concurrent.ConcurrentHashMap$Node (java.base@17.0.15)
                Total          1320         963360
                """);
        assertEquals(963360, h.bytes());
        assertEquals(1320, h.instances());
        assertEquals(60L, h.instancesByClass().get("java.lang.Object"));
        assertEquals(1920L, h.bytesByClass().get("java.util.concurrent.ConcurrentHashMap$Node"));
        assertNull(HeapHistogram.parse("12345:\ncom.sun.tools.attach.AttachNotSupportedException: no such process\n"));
    }

    @Test
    void readsThisProcessFromProc() throws Exception {
        ProcStats s = ProcStats.read(ProcessHandle.current().pid());
        assertTrue(s.rssKib() > 0);
        assertTrue(s.threads() > 1);
        assertTrue(s.fds() > 2);
    }

    @Test
    void optionsAreCheckedBeforeAnythingStarts() {
        assertEquals(Map.of("runs", "3", "no-heap", "true"), Soak.parse(new String[] {"--runs", "3", "--no-heap"}));
        assertThrows(IllegalArgumentException.class, () -> Soak.parse(new String[] {"--bogus", "1"}));
        assertThrows(IllegalArgumentException.class, () -> Soak.parse(new String[] {"--runs"}));
    }

    @Test
    void theLoadStaysOnLoopback() {
        assertThrows(IllegalArgumentException.class, () -> new InferLoad(URI.create("http://10.0.0.1:8085/v2/models/m/infer"),
                new byte[0], 10, 10, Duration.ofSeconds(1), 1));
    }

    @Test
    void aMapThatGainsAnEntryPerRoundFailsTheSoakWhileStringDriftAndFlatMetricsPass() {
        SoakReport leaky = report(20, run -> Map.of("java.lang.Object", 1700L + 3 * run, "java.lang.String", 30000L + 30 * run,
                "[B", 40000L + 30 * run, "java.lang.Class", 8000L));
        assertTrue(!leaky.print(new java.io.PrintStream(java.io.OutputStream.nullOutputStream())));
        assertEquals(1, leaky.grew().size(), leaky.grew().toString());
        assertTrue(leaky.grew().get(0).startsWith("evaluate retains 1 classes more every run: java.lang.Object +3.0/run"),
                leaky.grew().toString());

        SoakReport flat = report(20, run -> Map.of("java.lang.Object", 1700L + (run % 2), "java.lang.String", 30000L,
                "java.lang.Class", 8000L));
        assertTrue(flat.print(new java.io.PrintStream(java.io.OutputStream.nullOutputStream())), flat.grew().toString());
    }

    /** A report over {@code runs} samples of one process "evaluate" with a flat RSS, threads and fds. */
    private static SoakReport report(int runs, java.util.function.IntFunction<Map<String, Long>> classes) {
        SoakReport r = new SoakReport(runs, true);
        for (int run = 1; run <= runs; run++) {
            Map<String, Long> counts = classes.apply(run);
            Map<String, Long> bytes = new java.util.HashMap<>();
            counts.forEach((c, n) -> bytes.put(c, 16 * n));
            long total = bytes.values().stream().mapToLong(Long::longValue).sum();
            HeapHistogram h = new HeapHistogram(total, counts.values().stream().mapToLong(Long::longValue).sum(), counts, bytes);
            SoakReport.ProcessSample ps = new SoakReport.ProcessSample(new ProcStats(200_000, 30, 50), h,
                    Map.of("java_threads", 20.0));
            r.sample(run, new SoakReport.Sample(Map.of("evaluate", ps), 1000L * run, 0, 30L * run,
                    new SoakReport.Tree(6_500_000L * run, 56L * run), new SoakReport.Tree(100_000L * run, 4L * run)));
        }
        return r;
    }
}
