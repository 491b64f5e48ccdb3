package dev.cnai.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.cli.soak.HeapHistogram;
import dev.cnai.cli.soak.HeapInfo;
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

    /** {@code jcmd <pid> GC.heap_info} of OpenJDK 17.0.15, -Xmx768m -XX:+UseSerialGC, on a 24 GiB machine. */
    static final String SERIAL_HEAP_INFO = """
            21322:
             def new generation   total 116160K, used 11682K [0x00000000d0000000, 0x00000000d7e00000, 0x00000000e0000000)
              eden space 103296K,  11% used [0x00000000d0000000, 0x00000000d0b689c8, 0x00000000d64e0000)
              from space 12864K,   0% used [0x00000000d64e0000, 0x00000000d64e0000, 0x00000000d7170000)
              to   space 12864K,   0% used [0x00000000d7170000, 0x00000000d7170000, 0x00000000d7e00000)
             tenured generation   total 258048K, used 0K [0x00000000e0000000, 0x00000000efc00000, 0x0000000100000000)
               the space 258048K,   0% used [0x00000000e0000000, 0x00000000e0000000, 0x00000000e0000200, 0x00000000efc00000)
             Metaspace       used 123K, committed 320K, reserved 1114112K
              class space    used 4K, committed 128K, reserved 1048576K
            """;

    @Test
    void parsesJcmdHeapInfoOfSerialG1AndParallel() throws Exception {
        HeapInfo serial = HeapInfo.parse(SERIAL_HEAP_INFO);
        // committed = high - low of each generation: young 0x7e00000 (eden + both survivors; "total" leaves one out)
        assertEquals(129024 + 258048, serial.committedKib());
        assertEquals(320, serial.metaspaceCommittedKib());
        assertEquals(0xd0000000L, serial.low());
        assertEquals(0x100000000L, serial.high());
        assertEquals(-1, serial.residentKib());
        assertEquals(serial.committedKib(), serial.inRssKib(), "committed stands in until smaps is read");

        HeapInfo g1 = HeapInfo.parse("""
                17670:
                 garbage-first heap   total 262144K, used 6458K [0x00000000f0000000, 0x0000000100000000)
                  region size 1024K, 6 young (6144K), 0 survivors (0K)
                 Metaspace       used 74K, committed 320K, reserved 1114112K
                  class space    used 3K, committed 128K, reserved 1048576K
                """);
        assertEquals(262144, g1.committedKib());
        assertEquals(0xf0000000L, g1.low());
        assertEquals(0x100000000L, g1.high());
        HeapInfo g1Later = HeapInfo.parse(
                " garbage-first heap   total reserved 786432K, committed 65536K, used 6458K [0x00000000d0000000, 0x0000000100000000)\n");
        assertEquals(65536, g1Later.committedKib());
        assertEquals(-1, g1Later.metaspaceCommittedKib());

        HeapInfo parallel = HeapInfo.parse("""
                17671:
                 PSYoungGen      total 76288K, used 8132K [0x00000000fab00000, 0x0000000100000000, 0x0000000100000000)
                  eden space 65536K, 12% used [0x00000000fab00000,0x00000000fb2f1080,0x00000000feb00000)
                  from space 10752K, 0% used [0x00000000ff580000,0x00000000ff580000,0x0000000100000000)
                  to   space 10752K, 0% used [0x00000000feb00000,0x00000000feb00000,0x00000000ff580000)
                 ParOldGen       total 175104K, used 0K [0x00000000f0000000, 0x00000000fab00000, 0x00000000fab00000)
                  object space 175104K, 0% used [0x00000000f0000000,0x00000000f0000000,0x00000000fab00000)
                 Metaspace       used 128K, committed 320K, reserved 1114112K
                """);
        assertEquals(87040 + 175104, parallel.committedKib());
        assertEquals(0xf0000000L, parallel.low());

        assertEquals(20480, HeapInfo.parse("Shenandoah Heap\n 786432K max, 786432K soft max, 20480K committed, 5120K used\n")
                .committedKib());
        assertNull(HeapInfo.parse("12345:\ncom.sun.tools.attach.AttachNotSupportedException: no such process\n"));

        // /proc/<pid>/smaps of that SerialGC JVM: the heap's committed mappings, its reserved rest, and one outside
        String smaps = """
                cf000000-d0000000 rw-p 00000000 00:00 0
                Size:              16384 kB
                Rss:                4000 kB
                d0000000-d7e00000 rw-p 00000000 00:00 0
                Size:             129024 kB
                Rss:                5432 kB
                d7e00000-e0000000 ---p 00000000 00:00 0
                Rss:                   0 kB
                e0000000-efc00000 rw-p 00000000 00:00 0
                Rss:                 812 kB
                efc00000-100000000 ---p 00000000 00:00 0
                Rss:                   0 kB
                7f0000000000-7f0000021000 rw-p 00000000 00:00 0
                Rss:                 132 kB
                """;
        assertEquals(5432 + 812, HeapInfo.residentIn(new java.io.BufferedReader(new java.io.StringReader(smaps)),
                serial.low(), serial.high()));
        // this JVM's own heap, if jcmd is here: resident within RSS
        java.nio.file.Path jcmd = HeapHistogram.jcmd();
        if (jcmd != null) {
            long pid = ProcessHandle.current().pid();
            HeapInfo self = HeapInfo.take(jcmd, pid).resident(pid);
            assertTrue(self.committedKib() > 0, self.toString());
            assertTrue(self.residentKib() > 0 && self.residentKib() <= ProcStats.read(pid).rssKib(), self.toString());
        }
    }

    /** train-shard's RSS (KiB) after runs 1..20 of the soak that judged raw RSS: +1.67 MiB/run, a live heap flat. */
    static final long[] TRAIN_SHARD_RSS = {235708, 238368, 240452, 244204, 245212, 245864, 246584, 246988, 247524, 248400,
        250988, 248180, 250636, 251024, 249188, 254052, 264156, 273568, 273716, 270060};

    @Test
    void rssThatGrowsWithTheResidentHeapIsFlatWhileGrowthOutsideTheHeapFails() {
        // the heap's resident pages take the creep and the ~10 MiB steps of runs 17-18; outside it, 140 MiB ± 0.5
        SoakReport resizing = heapReport(run -> TRAIN_SHARD_RSS[run - 1],
                run -> TRAIN_SHARD_RSS[run - 1] - 143_360 + (run % 2 == 0 ? 512 : -512));
        java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
        assertTrue(resizing.print(new java.io.PrintStream(text, true)), resizing.grew().toString());
        String table = text.toString();
        assertTrue(table.contains("RSS MiB") && table.contains("info (includes heap resizing)"), table);
        assertTrue(table.matches("(?s).*RSS outside the Java heap MiB +1[34]\\d\\.\\d+ +1[34]\\d\\.\\d+ +[+-]0\\.\\d+ +1\\.000  flat.*"),
                table);
        assertEquals(0.0, resizing.summary().path("per_run").path("train-shard").path("rss_outside_heap_mib_per_run")
                .asDouble(), 0.1);
        assertTrue(resizing.summary().path("per_run").path("train-shard").path("rss_mib_per_run").asDouble() > 1.5);

        // the same RSS, but the heap stays at 100 MiB resident: the growth is outside the heap
        SoakReport native_ = heapReport(run -> TRAIN_SHARD_RSS[run - 1], run -> 102_400L);
        assertFalse(native_.print(new java.io.PrintStream(java.io.OutputStream.nullOutputStream())));
        assertEquals(1, native_.grew().size(), native_.grew().toString());
        assertTrue(native_.grew().get(0).startsWith("train-shard rss_outside_heap_mib +1.6"), native_.grew().toString());

        // a JVM whose smaps could not be read: committed stands in (a step with committed is still flat)
        SoakReport committed = heapReport(run -> 200_000L + (run >= 12 ? 10_240 : 0), run -> -1L);
        assertTrue(committed.print(new java.io.PrintStream(java.io.OutputStream.nullOutputStream())), committed.grew().toString());
    }

    /** One process "train-shard" with RSS and heap resident (KiB) per run; committed = resident + 100 MiB, or alone. */
    private static SoakReport heapReport(java.util.function.IntToLongFunction rss, java.util.function.IntToLongFunction resident) {
        SoakReport r = new SoakReport(3, 20, true);
        for (int run = 1; run <= 20; run++) {
            long res = resident.applyAsLong(run);
            HeapInfo info = res >= 0 ? new HeapInfo(res + 102_400, 60_000, 0xd0000000L, 0x100000000L, res)
                    : new HeapInfo(rss.applyAsLong(run) - 150_000, 60_000, -1, -1, -1);
            HeapHistogram h = new HeapHistogram(8_000_000, 100_000, Map.of("java.lang.Class", 8000L),
                    Map.of("java.lang.Class", 8_000_000L));
            SoakReport.ProcessSample ps = new SoakReport.ProcessSample(new ProcStats(rss.applyAsLong(run), 26, 48), h, info,
                    Map.of("java_threads", 16.0));
            r.sample(run, new SoakReport.Sample(Map.of("train-shard", ps), 1000L * run, 0, 30L * run,
                    new SoakReport.Tree(6_500_000L * run, 56L * run), new SoakReport.Tree(100_000L * run, 4L * run)));
        }
        return r;
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
        Soak soak = Soak.parse(new String[] {"--runs", "3", "--no-heap"});
        assertEquals(List.of(3, true), List.of(soak.runs, soak.noHeap));
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
        SoakReport r = new SoakReport(3, runs, true);
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
