package dev.cnai.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing, validation and reproducibility of {@link Faults} and {@link FaultInjector} decisions. */
class FaultsTest {

    @TempDir
    Path data;

    @Test
    void parsesEveryFaultAndPrintsItBack() {
        Faults f = Faults.parse("seed=7, duplicate=0.3,delay=0..200ms,error=0.1,lost=0.1,"
                + "kill=train-shard:dev.cnai.shard.assigned:2:150ms,kill-on-emit=evaluate:dev.cnai.shard.assigned:2,"
                + "kill=infer:dev.cnai.inference.requested:1:0");
        assertEquals(7, f.seed());
        assertEquals(0.3, f.duplicate());
        assertEquals(Duration.ZERO, f.delayMin());
        assertEquals(Duration.ofMillis(200), f.delayMax());
        assertEquals(0.1, f.error());
        assertEquals(0.1, f.lost());
        assertEquals(List.of(new Faults.Kill("train-shard", "dev.cnai.shard.assigned", 2, Duration.ofMillis(150)),
                new Faults.Kill("infer", "dev.cnai.inference.requested", 1, Duration.ZERO)), f.kills());
        assertEquals(List.of(new Faults.KillOnEmit("evaluate", "dev.cnai.shard.assigned", 2)), f.killsOnEmit());
        assertEquals(java.util.Set.of("train-shard", "infer", "evaluate"), f.killedServices());
        assertTrue(f.enabled());
        assertEquals(f, Faults.parse(f.toString()), "toString is a spec that parses back to the same faults");

        assertEquals(Duration.ofSeconds(1), Faults.parse("delay=1..2s").delayMin());
        assertEquals(Duration.ofMillis(50), Faults.parse("delay=50ms").delayMax());
        assertEquals(Duration.ZERO, Faults.parse("delay=50ms").delayMin());
    }

    @Test
    void offByDefault() {
        assertSame(Faults.NONE, Faults.parse(null));
        assertSame(Faults.NONE, Faults.parse(" "));
        assertSame(Faults.NONE, Faults.parse("none"));
        assertSame(Faults.NONE, Faults.parse("off"));
        assertFalse(Faults.NONE.enabled());
        assertFalse(Faults.parse("seed=3").enabled(), "a seed alone injects nothing");
        assertEquals(Faults.NONE, BrokerConfig.defaults().faults());
        assertEquals("none", Faults.NONE.toString());
    }

    @Test
    void badSpecsAreRefusedWithAMessageSayingWhatIsWrong() {
        assertBad("duplicate=1.5", "duplicate=1.5", "between 0 and 1");
        assertBad("error=-0.1", "error", "between 0 and 1");
        assertBad("lost=often", "lost=often", "not a number");
        assertBad("seed=x", "seed=x", "not a number");
        assertBad("chaos=1", "unknown fault 'chaos'", "kill-on-emit");
        assertBad("duplicate", "expected key=value", "duplicate");
        assertBad("duplicate=0.1,duplicate=0.2", "duplicate=0.2", "given twice");
        assertBad("delay=200..100ms", "delay=200..100ms", "minimum is larger");
        assertBad("delay=100", "delay=100", "needs a unit");
        assertBad("delay=-5ms", "delay=-5ms", "negative");
        assertBad("kill=train-shard:dev.cnai.shard.assigned:2", "kill=", "SERVICE:TYPE:NTH:DELAY");
        assertBad("kill=train-shard:dev.cnai.shard.assigned:0:10ms", "kill=", "counts from 1");
        assertBad("kill=:dev.cnai.shard.assigned:1:10ms", "kill=", "must not be empty");
        assertBad("kill-on-emit=evaluate:dev.cnai.shard.assigned", "kill-on-emit=", "SERVICE:TYPE:NTH");
        assertBad("kill-on-emit=evaluate:t:two", "kill-on-emit=", "not a number");
    }

    private static void assertBad(String spec, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Faults.parse(spec), spec);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' should mention '" + f + "'");
        }
    }

    @Test
    void theCommandLineOptionWinsOverTheEnvironmentVariable() {
        assertEquals(0.5, Main.faults(null, "duplicate=0.5").duplicate(), "CNAI_BROKER_FAULTS is the fallback");
        assertEquals(0.2, Main.faults("error=0.2", "duplicate=0.5").error());
        assertEquals(0, Main.faults("error=0.2", "duplicate=0.5").duplicate());
        assertSame(Faults.NONE, Main.faults(null, null));
        UsageException e = assertThrows(UsageException.class, () -> Main.faults(null, "duplicate=2"));
        assertTrue(e.getMessage().startsWith("CNAI_BROKER_FAULTS: "), e.getMessage());
        e = assertThrows(UsageException.class, () -> Main.faults("nope=1", null));
        assertTrue(e.getMessage().startsWith("--faults: "), e.getMessage());
    }

    @Test
    void killingAServiceTheBrokerDoesNotStartIsRefusedAtStart() throws Exception {
        BrokerConfig cfg = BrokerConfig.builder().port(0).dataDir(data)
                .faults(Faults.parse("kill=train-shard:dev.cnai.shard.assigned:1:0")).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LocalBroker.start(cfg, TriggerLoader.parse("", null), null));
        assertTrue(e.getMessage().contains("cannot kill 'train-shard'") && e.getMessage().contains("--process"),
                e.getMessage());
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = Main.run(new String[] {"serve", "--port", "0", "--data-dir", data.toString(), "--triggers",
            data.toString(), "--faults", "kill-on-emit=evaluate:dev.cnai.model.evaluated:1"},
                new java.io.PrintStream(new java.io.ByteArrayOutputStream()), new java.io.PrintStream(err, true));
        assertEquals(Main.EXIT_USAGE, code);
        assertTrue(err.toString().contains("--faults kills 'evaluate', which the broker does not start"),
                err.toString());
    }

    private static CloudEvent event(int i) {
        return CloudEventBuilder.v1().withId("e-" + i).withSource(URI.create("/cnai/test"))
                .withType("dev.cnai.test.ping").build();
    }

    private List<String> decisions(FaultInjector inj, int events) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            CloudEvent e = event(i);
            out.add(inj.duplicate(e, "t") + " " + inj.duplicateLag(e, "t").toMillis() + " "
                    + inj.delay(e, "t", 0, 1).toMillis() + " " + inj.error(e, "t", 0, 1) + " "
                    + inj.error(e, "t", 0, 2) + " " + inj.lost(e, "t", 0, 1) + " " + inj.error(e, "t", 1, 1));
        }
        return out;
    }

    @Test
    void seededDecisionsAreReproducibleAndIndependentOfThreads() throws Exception {
        Faults f = Faults.parse("seed=7,duplicate=0.3,delay=10..200ms,error=0.3,lost=0.3");
        try (EventLog log = new EventLog(data, null, 10)) {
            FaultInjector a = new FaultInjector(f, log, null);
            FaultInjector b = new FaultInjector(f, log, null);
            List<String> first = decisions(a, 500);
            assertEquals(first, decisions(b, 500), "same seed, same decisions");
            assertNotEquals(first, decisions(new FaultInjector(Faults.parse(
                    "seed=8,duplicate=0.3,delay=10..200ms,error=0.3,lost=0.3"), log, null), 500));

            // the same decisions when asked from many threads in any order
            ConcurrentHashMap<Integer, String> parallel = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            for (int i = 499; i >= 0; i--) {
                int n = i;
                pool.execute(() -> parallel.put(n, decisions(b, n + 1).get(n)));
            }
            pool.shutdown();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
            for (int i = 0; i < 500; i++) {
                assertEquals(first.get(i), parallel.get(i));
            }

            // rates roughly as configured, and delays within bounds
            long dups = first.stream().filter(s -> s.startsWith("true")).count();
            assertTrue(dups > 100 && dups < 200, "about 30% duplicated: " + dups);
            for (int i = 0; i < 500; i++) {
                long d = a.delay(event(i), "t", 0, 1).toMillis();
                assertTrue(d >= 10 && d <= 200, "delay " + d);
            }
        }
    }
}
