package dev.cnai.cli.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** What Linux says about one process: resident memory, threads and open file descriptors, from {@code /proc}. */
public record ProcStats(long rssKib, int threads, int fds) {

    /** Reads {@code /proc/<pid>/status} (VmRSS, Threads) and counts {@code /proc/<pid>/fd}; fails if the process is gone. */
    public static ProcStats read(long pid) throws IOException {
        Path proc = Path.of("/proc", Long.toString(pid));
        long rss = -1;
        int threads = -1;
        for (String line : Files.readAllLines(proc.resolve("status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
            } else if (line.startsWith("Threads:")) {
                threads = Integer.parseInt(line.replaceAll("[^0-9]", ""));
            }
        }
        int fds;
        try (Stream<Path> s = Files.list(proc.resolve("fd"))) {
            fds = (int) s.count();
        }
        if (rss < 0 || threads < 0) {
            throw new IOException(proc + "/status has no VmRSS or Threads line");
        }
        return new ProcStats(rss, threads, fds);
    }
}
