package dev.cnai.energy.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.energy.EnergyConfig;
import dev.cnai.energy.EnergySource;
import dev.cnai.energy.Usage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccountingTest {
    @TempDir
    Path dir;

    private EnergyConfig noRapl() {
        return new EnergyConfig(3.5, dir.resolve("no-powercap"), dir.resolve("no-stat"));
    }

    /** Burns CPU on this thread for about {@code millis} of CPU time. */
    private static double burn(long millis) {
        java.lang.management.ThreadMXBean t = java.lang.management.ManagementFactory.getThreadMXBean();
        long end = t.getCurrentThreadCpuTime() + millis * 1_000_000;
        double x = 1;
        while (t.getCurrentThreadCpuTime() < end) {
            for (int i = 0; i < 10_000; i++) {
                x = Math.sin(x) + 1.0001;
            }
        }
        return x;
    }

    @Test
    void realProcessCpuOfAHandlingIsMeasuredAndEstimated() {
        Accounting a = new Accounting(Counters.open(noRapl()));
        Accounting.Interval i = a.start();
        burn(300);
        Usage u = a.stop(i);
        assertEquals(EnergySource.ESTIMATE, u.source());
        assertTrue(u.cpuSeconds() >= 0.28, "cpu " + u.cpuSeconds());
        assertTrue(u.cpuSeconds() < 3, "cpu " + u.cpuSeconds());
        assertEquals(u.cpuSeconds() * 3.5, u.joules(), 1e-9);
        assertTrue(u.wallNanos() > 0);
        assertEquals(u, a.stop(i), "a second stop returns the same figures");
        assertEquals(0, a.inFlight());
    }

    @Test
    void nativeAndOtherThreadsOfTheProcessCount() throws Exception {
        Accounting a = new Accounting(Counters.open(noRapl()));
        Accounting.Interval i = a.start();
        Thread worker = new Thread(() -> burn(300));
        worker.start();
        worker.join();
        Usage u = a.stop(i);
        assertTrue(u.cpuSeconds() >= 0.28, "the worker thread's CPU is the process's: " + u.cpuSeconds());
    }

    @Test
    void concurrentIntervalsShareTheProcessCpuWithoutCountingItTwice() {
        AtomicLong clock = new AtomicLong();
        Accounting a = new Accounting(Counters.open(noRapl(), clock::get));
        Accounting.Interval first = a.start();
        clock.addAndGet(1_000_000_000L);          // 1 s alone
        Accounting.Interval second = a.start();
        clock.addAndGet(2_000_000_000L);          // 2 s shared by two
        Usage u1 = a.stop(first);
        clock.addAndGet(500_000_000L);            // 0.5 s alone
        Usage u2 = a.stop(second);
        clock.addAndGet(7_000_000_000L);          // nothing open: nobody's
        Accounting.Interval third = a.start();
        Usage u3 = a.stop(third);
        assertEquals(2.0, u1.cpuSeconds(), 1e-9);
        assertEquals(1.5, u2.cpuSeconds(), 1e-9);
        assertEquals(0.0, u3.cpuSeconds(), 1e-9);
        assertEquals(3.5, u1.cpuSeconds() + u2.cpuSeconds(), 1e-9, "sums to the process CPU while any was open");
        assertEquals(7.0, u1.joules(), 1e-9);
    }

    @Test
    void raplPackageEnergyIsApportionedByTheProcessShareOfBusyCpuAndWrapsAround() throws IOException {
        Path powercap = dir.resolve("powercap");
        Path pkg = Files.createDirectories(powercap.resolve("intel-rapl:0"));
        Files.createDirectories(powercap.resolve("intel-rapl:0:0")); // a sub-domain: not added again
        Files.writeString(pkg.resolve("max_energy_range_uj"), "1000000000\n");
        Files.writeString(pkg.resolve("energy_uj"), "999000000\n");
        Path stat = dir.resolve("stat");
        Files.writeString(stat, "cpu  100 0 100 5000 0 0 0 0 0 0\ncpu0 50 0 50 2500 0 0 0 0 0 0\n");
        AtomicLong clock = new AtomicLong();
        Counters c = Counters.open(new EnergyConfig(3.5, powercap, stat), clock::get);
        assertEquals(EnergySource.RAPL, c.source());
        Accounting a = new Accounting(c);
        Accounting.Interval i = a.start();
        clock.addAndGet(1_000_000_000L);                                      // this process: 1 CPU-second
        Files.writeString(pkg.resolve("energy_uj"), "9000000\n");             // wrapped: 1 J + 9 J = 10 J
        Files.writeString(stat, "cpu  250 0 150 5100 0 0 0 0 0 0\n");        // machine: 200 ticks = 2 s busy
        Usage u = a.stop(i);
        assertEquals(EnergySource.RAPL, u.source());
        assertEquals(5.0, u.joules(), 1e-9, "half of the package's 10 J");
        assertEquals(1.0, u.cpuSeconds(), 1e-9);
    }

    @Test
    void unreadableRaplFallsBackToTheEstimate() throws IOException {
        Path powercap = dir.resolve("powercap");
        Files.createDirectories(powercap.resolve("intel-rapl:0")); // no energy_uj: as when it is root-only
        Counters c = Counters.open(new EnergyConfig(2.0, powercap, dir.resolve("stat")));
        assertEquals(EnergySource.ESTIMATE, c.source());
        assertTrue(c.method().contains("2.00 W"), c.method());
    }
}
