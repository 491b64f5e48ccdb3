package dev.cnai.energy.impl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The RAPL package domains of the powercap sysfs ({@code intel-rapl:0}, {@code intel-rapl:1}, …; their
 * sub-domains {@code intel-rapl:0:0} are parts of the package and not added again). Each counter
 * ({@code energy_uj}) wraps at {@code max_energy_range_uj}.
 */
public final class Rapl {
    private static final Pattern PACKAGE = Pattern.compile("intel-rapl:\\d+");

    private final List<Path> domains;
    private final long[] ranges;

    private Rapl(List<Path> domains, long[] ranges) {
        this.domains = domains;
        this.ranges = ranges;
    }

    /** The readable package domains under {@code powercap}, or empty when there are none (no RAPL, or no permission). */
    public static Optional<Rapl> open(Path powercap) {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> s = Files.list(powercap)) {
            s.filter(p -> PACKAGE.matcher(p.getFileName().toString()).matches()).sorted().forEach(found::add);
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
        if (found.isEmpty()) {
            return Optional.empty();
        }
        long[] ranges = new long[found.size()];
        for (int i = 0; i < found.size(); i++) {
            try {
                readLong(found.get(i).resolve("energy_uj"));
                ranges[i] = readLong(found.get(i).resolve("max_energy_range_uj"));
            } catch (IOException | NumberFormatException e) {
                return Optional.empty(); // root-only since the PLATYPUS mitigation on many kernels
            }
        }
        return Optional.of(new Rapl(List.copyOf(found), ranges));
    }

    /** The counters now, one per domain, in microjoules. */
    long[] read() {
        long[] out = new long[domains.size()];
        for (int i = 0; i < out.length; i++) {
            try {
                out[i] = readLong(domains.get(i).resolve("energy_uj"));
            } catch (IOException | NumberFormatException e) {
                out[i] = -1;
            }
        }
        return out;
    }

    /** Joules between two readings, summed over the domains, each counter's wrap-around undone. */
    double joules(long[] from, long[] to) {
        double uj = 0;
        for (int i = 0; i < from.length; i++) {
            if (from[i] < 0 || to[i] < 0) {
                continue;
            }
            long d = to[i] - from[i];
            uj += d >= 0 ? d : d + ranges[i];
        }
        return uj / 1e6;
    }

    int domains() {
        return domains.size();
    }

    private static long readLong(Path p) throws IOException {
        return Long.parseLong(Files.readString(p).trim());
    }
}
