package dev.cnai.cli.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live heap of a local JVM: {@code jcmd <pid> GC.class_histogram} runs a full GC in that JVM first, so the totals
 * are the heap after GC, and the per-class counts show what is retained (a leak is a class whose count grows every
 * run). Works for JVMs of the same user on this machine (the attach mechanism), nothing remote.
 */
public record HeapHistogram(long bytes, long instances, Map<String, Long> instancesByClass, Map<String, Long> bytesByClass) {

    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
    private static final Pattern TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)");

    /** {@code jcmd} beside the java running this JVM, or null when this is a JRE without it. */
    public static Path jcmd() {
        Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
        Path jcmd = java.resolveSibling("jcmd");
        return Files.isExecutable(jcmd) ? jcmd : null;
    }

    public static HeapHistogram take(Path jcmd, long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.class_histogram")
                .redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd " + pid + " GC.class_histogram did not finish within 60 s");
        }
        HeapHistogram h = parse(new String(out, StandardCharsets.UTF_8));
        if (p.exitValue() != 0 || h == null) {
            String text = new String(out, StandardCharsets.UTF_8);
            throw new IOException("jcmd " + pid + " GC.class_histogram failed (exit " + p.exitValue() + "): "
                    + text.substring(0, Math.min(300, text.length())).strip());
        }
        return h;
    }

    /** Parses jcmd's output; null when it has no {@code Total} line. */
    public static HeapHistogram parse(String text) {
        Map<String, Long> instances = new HashMap<>();
        Map<String, Long> bytes = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                instances.merge(m.group(3), Long.parseLong(m.group(1)), Long::sum);
                bytes.merge(m.group(3), Long.parseLong(m.group(2)), Long::sum);
                continue;
            }
            Matcher t = TOTAL.matcher(line.strip());
            if (t.find()) {
                return new HeapHistogram(Long.parseLong(t.group(2)), Long.parseLong(t.group(1)), instances, bytes);
            }
        }
        return null;
    }
}
