package dev.cnai.energy.impl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Busy CPU time of the whole machine from the {@code cpu} line of {@code /proc/stat}: user + nice + system + irq +
 * softirq + steal, in clock ticks of {@link #TICKS_PER_SECOND} (USER_HZ, 100 on Linux).
 */
final class ProcStat {
    static final int TICKS_PER_SECOND = 100;

    private final Path file;

    ProcStat(Path file) {
        this.file = file;
    }

    /** Busy CPU time in nanoseconds, or -1 when unreadable. */
    long busyNanos() {
        try {
            List<String> lines = Files.readAllLines(file);
            for (String line : lines) {
                if (line.startsWith("cpu ")) {
                    String[] f = line.trim().split("\\s+");
                    long busy = 0;
                    for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                        if (i < f.length) {
                            busy += Long.parseLong(f[i]);
                        }
                    }
                    return busy * (1_000_000_000L / TICKS_PER_SECOND);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
