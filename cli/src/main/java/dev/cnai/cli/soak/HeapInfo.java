package dev.cnai.cli.soak;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Java heap of a local JVM as its collector sees it, from {@code jcmd <pid> GC.heap_info}: the committed heap,
 * the reserved heap's address range and Metaspace committed; and, from {@code /proc/<pid>/smaps}, how much of that
 * address range is resident. The resident part is what the heap contributes to the process's RSS, so RSS minus it is
 * the memory outside the Java heap (Metaspace, code cache, thread stacks, GC structures, malloc, native libraries).
 * <p>
 * Committed is not resident: a JVM commits its initial heap (1/64 of RAM unless {@code -Xms}) at start and Linux
 * backs a page only when it is first written, so a young collector's tenured generation is committed but mostly not
 * resident, and later promotions make it resident (RSS grows) while committed stays the same. RSS minus committed is
 * therefore negative for a small JVM and still moves with the heap; RSS minus heap-resident does not. Committed is
 * kept as well (the fallback when smaps cannot be read, and what {@code -Xmx} headroom is judged against).
 *
 * @param committedKib sum over the heap's spaces: {@code high - low} of a generation's {@code [low, high, end)}
 *     address triple (SerialGC, ParallelGC: both survivor spaces, which its "total" leaves one out of), else the
 *     printed total or capacity (G1 {@code garbage-first heap total}, Shenandoah {@code committed}, ZGC
 *     {@code capacity})
 * @param metaspaceCommittedKib {@code Metaspace ... committed NNNK}, -1 when not printed
 * @param low start of the reserved heap address range, -1 when not printed
 * @param high end of the reserved heap address range (exclusive), -1 when not printed
 * @param residentKib resident pages of {@code [low, high)} per {@code /proc/<pid>/smaps}, -1 when not measured
 */
public record HeapInfo(long committedKib, long metaspaceCommittedKib, long low, long high, long residentKib) {

    /**
     * A generation or heap line: {@code <name> total NNNK, used NNNK [0x.., 0x..(, 0x..))}, or (G1 in later JDKs)
     * {@code <name> total reserved NNNK, committed NNNK, used NNNK [..]}.
     */
    private static final Pattern SPACE = Pattern.compile(
            "^\\s*(.*?)\\s+total\\s+(?:reserved\\s+\\d+[KMG],\\s*committed\\s+)?(\\d+)([KMG]),\\s*used\\s+\\d+[KMG]\\s*(?:\\[([^\\]\\)]*)[\\]\\)])?");
    private static final Pattern ADDRESS = Pattern.compile("0x([0-9a-fA-F]+)");
    private static final Pattern METASPACE = Pattern.compile("^\\s*Metaspace\\s+used\\s+\\d+[KMG],\\s*committed\\s+(\\d+)([KMG])");
    /** Shenandoah: {@code 786432K max, 786432K soft max, 20480K committed, 5120K used}. */
    private static final Pattern SHENANDOAH = Pattern.compile("(\\d+)([KMG]) committed,");
    /** ZGC: {@code ZHeap used 8M, capacity 32M, max capacity 768M}. */
    private static final Pattern ZGC = Pattern.compile("^\\s*ZHeap\\s+used\\s+\\d+[KMG],\\s*capacity\\s+(\\d+)([KMG])");
    private static final Pattern SMAPS_RANGE = Pattern.compile("^([0-9a-f]+)-([0-9a-f]+)\\s");

    public static HeapInfo take(Path jcmd, long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd " + pid + " GC.heap_info did not finish within 60 s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        HeapInfo h = parse(text);
        if (p.exitValue() != 0 || h == null) {
            throw new IOException("jcmd " + pid + " GC.heap_info failed (exit " + p.exitValue() + "): "
                    + text.substring(0, Math.min(300, text.length())).strip());
        }
        return h;
    }

    /** Parses {@code GC.heap_info}; null when no heap line is recognised. Resident is -1 (see {@link #resident}). */
    public static HeapInfo parse(String text) {
        long committed = 0;
        boolean found = false;
        long metaspace = -1;
        long low = Long.MAX_VALUE;
        long high = -1;
        for (String line : text.split("\n")) {
            Matcher meta = METASPACE.matcher(line);
            if (meta.find()) {
                metaspace = kib(meta.group(1), meta.group(2));
                continue;
            }
            Matcher m = SPACE.matcher(line);
            if (m.find() && !m.group(1).isBlank()) {
                found = true;
                long total = kib(m.group(2), m.group(3));
                long[] a = addresses(m.group(4));
                if (a.length == 3) {
                    committed += (a[1] - a[0]) / 1024; // [low, committed high, reserved end)
                } else {
                    committed += total;
                }
                if (a.length >= 2) {
                    low = Math.min(low, a[0]);
                    high = Math.max(high, a[a.length - 1]);
                }
                continue;
            }
            Matcher s = SHENANDOAH.matcher(line);
            Matcher z = ZGC.matcher(line);
            if (s.find()) {
                found = true;
                committed += kib(s.group(1), s.group(2));
            } else if (z.find()) {
                found = true;
                committed += kib(z.group(1), z.group(2));
            }
        }
        if (!found) {
            return null;
        }
        return high < 0 ? new HeapInfo(committed, metaspace, -1, -1, -1) : new HeapInfo(committed, metaspace, low, high, -1);
    }

    /** This heap with {@link #residentKib} read from {@code /proc/<pid>/smaps}; unchanged without an address range. */
    public HeapInfo resident(long pid) throws IOException {
        if (low < 0 || high <= low) {
            return this;
        }
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc", Long.toString(pid), "smaps"))) {
            return withResident(residentIn(r, low, high));
        }
    }

    HeapInfo withResident(long kib) {
        return new HeapInfo(committedKib, metaspaceCommittedKib, low, high, kib);
    }

    /**
     * Sum of the {@code Rss:} of the mappings inside {@code [low, high)} in smaps text; a mapping that only overlaps
     * the range (Linux merged it with a neighbour) counts in proportion to the overlap.
     */
    public static long residentIn(BufferedReader smaps, long low, long high) throws IOException {
        long total = 0;
        double fraction = 0;
        String line;
        while ((line = smaps.readLine()) != null) {
            Matcher m = SMAPS_RANGE.matcher(line);
            if (m.find()) {
                long start = Long.parseUnsignedLong(m.group(1), 16);
                long end = Long.parseUnsignedLong(m.group(2), 16);
                long overlap = Math.min(end, high) - Math.max(start, low);
                fraction = overlap <= 0 || end <= start ? 0 : overlap / (double) (end - start);
            } else if (fraction > 0 && line.startsWith("Rss:")) {
                total += Math.round(fraction * Long.parseLong(line.replaceAll("[^0-9]", "")));
            }
        }
        return total;
    }

    /** The heap's share of RSS: resident when measured, else committed (an upper bound once the heap is warm). */
    public long inRssKib() {
        return residentKib >= 0 ? residentKib : committedKib;
    }

    private static long[] addresses(String bracket) {
        if (bracket == null) {
            return new long[0];
        }
        Matcher a = ADDRESS.matcher(bracket);
        long[] out = new long[3];
        int n = 0;
        while (a.find() && n < 3) {
            out[n++] = Long.parseUnsignedLong(a.group(1), 16);
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private static long kib(String n, String unit) {
        long v = Long.parseLong(n);
        return switch (unit) {
            case "M" -> v * 1024;
            case "G" -> v * 1024 * 1024;
            default -> v;
        };
    }
}
