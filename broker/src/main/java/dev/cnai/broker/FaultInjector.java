package dev.cnai.broker;

import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Applies {@link Faults} at run time. Every random decision is a pure function of (seed, kind of decision, event
 * source and id, Trigger, copy, attempt), hashed into a fresh {@link SplittableRandom}, so a run with the same seed
 * makes the same decisions for the same deliveries whatever the thread interleaving. Each injected fault is recorded
 * in the event log ({@code FAULT <kind> <type> <id> -> <trigger>}) and counted ({@link #counts()}, shown by
 * {@code GET /healthz}).
 */
public final class FaultInjector implements AutoCloseable {

    /** Fault kinds as counted and logged. */
    public static final List<String> KINDS = List.of("duplicate", "delay", "error", "lost", "kill", "kill-on-emit");

    private final Faults faults;
    private final EventLog log;
    private final ProcessManager processes;
    private final Map<String, AtomicLong> counts = new LinkedHashMap<>();
    private final Map<Faults.Kill, AtomicInteger> killSeen = new ConcurrentHashMap<>();
    private final Map<Faults.KillOnEmit, AtomicInteger> emitSeen = new ConcurrentHashMap<>();
    private final Map<Object, AtomicBoolean> fired = new ConcurrentHashMap<>();
    private final ScheduledExecutorService killer;

    /**
     * @param processes the managed subscribers; every service a kill entry names must be one of them
     * @throws IllegalArgumentException when a kill entry names a service the broker does not start
     */
    public FaultInjector(Faults faults, EventLog log, ProcessManager processes) {
        this.faults = faults;
        this.log = log;
        this.processes = processes;
        for (String k : KINDS) {
            counts.put(k, new AtomicLong());
        }
        for (String s : faults.killedServices()) {
            if (processes == null || !processes.manages(s)) {
                throw new IllegalArgumentException("fault injection cannot kill '" + s + "': the broker does not "
                        + "start it; add --process " + s + "='<command>' (and --subscriber " + s + "=URL) so that "
                        + "it is a managed process, or remove the kill/kill-on-emit entry for it");
            }
        }
        faults.kills().forEach(k -> killSeen.put(k, new AtomicInteger()));
        faults.killsOnEmit().forEach(k -> emitSeen.put(k, new AtomicInteger()));
        // Kills wait for a delay and may wait for a cold start to finish: keep them off the dispatcher's timer.
        this.killer = faults.kills().isEmpty() ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "broker-fault-killer");
            t.setDaemon(true);
            return t;
        });
    }

    /** The configuration. */
    public Faults faults() {
        return faults;
    }

    /** True when any fault is configured. */
    public boolean enabled() {
        return faults.enabled();
    }

    /** How many faults of each kind were injected so far. */
    public Map<String, Long> counts() {
        Map<String, Long> out = new LinkedHashMap<>();
        counts.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /**
     * A uniform number in [0, 1) that depends only on the seed and the arguments.
     *
     * @param copy 0 for a delivery, 1 for its injected duplicate
     * @param attempt 1-based attempt, or 0 for per-delivery decisions
     */
    public double roll(String kind, CloudEvent e, String trigger, int copy, int attempt) {
        String key = kind + '\u0000' + e.getSource() + '\u0000' + e.getId() + '\u0000' + trigger + '\u0000' + copy
                + '\u0000' + attempt;
        long h = 0xcbf29ce484222325L; // FNV-1a 64
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return new SplittableRandom(h ^ (faults.seed() * 0x9E3779B97F4A7C15L)).nextDouble();
    }

    /** Whether this delivery (not a duplicate itself) gets a second copy. */
    public boolean duplicate(CloudEvent e, String trigger) {
        return faults.duplicate() > 0 && roll("duplicate", e, trigger, 0, 0) < faults.duplicate();
    }

    /** How much later than the original the duplicate copy goes: uniform in [0, delay max]. */
    public Duration duplicateLag(CloudEvent e, String trigger) {
        long max = faults.delayMax().toMillis();
        return Duration.ofMillis(max == 0 ? 0 : (long) (roll("duplicate-lag", e, trigger, 1, 0) * (max + 1)));
    }

    /** The delay before an attempt: uniform in [delay min, delay max]. */
    public Duration delay(CloudEvent e, String trigger, int copy, int attempt) {
        long min = faults.delayMin().toMillis();
        long max = faults.delayMax().toMillis();
        if (max == 0) {
            return Duration.ZERO;
        }
        return Duration.ofMillis(min + (long) (roll("delay", e, trigger, copy, attempt) * (max - min + 1)));
    }

    /** Whether this attempt is answered 503 without contacting the subscriber. */
    public boolean error(CloudEvent e, String trigger, int copy, int attempt) {
        return faults.error() > 0 && roll("error", e, trigger, copy, attempt) < faults.error();
    }

    /** Whether this attempt's response is thrown away (treated as a timeout). */
    public boolean lost(CloudEvent e, String trigger, int copy, int attempt) {
        return faults.lost() > 0 && roll("lost", e, trigger, copy, attempt) < faults.lost();
    }

    /** Counts and logs one injected fault. */
    public void record(String kind, CloudEvent e, String trigger, String detail) {
        counts.get(kind).incrementAndGet();
        log.fault(kind, e, trigger, detail);
    }

    /**
     * Called just before the broker sends an attempt to managed service {@code service}: counts it against the
     * {@code kill} entries and, on an entry's n-th, schedules the SIGKILL its delay later.
     */
    public void sending(String service, CloudEvent e, String trigger) {
        for (Faults.Kill k : faults.kills()) {
            if (!k.service().equals(service) || !k.type().equals(e.getType())) {
                continue;
            }
            int n = killSeen.get(k).incrementAndGet();
            if (n != k.nth() || fired.computeIfAbsent(k, x -> new AtomicBoolean()).getAndSet(true)) {
                continue;
            }
            try {
                killer.schedule(() -> {
                    String why = k + ": delivery #" + n + " of " + e.getType() + " (" + e.getId() + ") in flight for "
                            + k.delay().toMillis() + "ms";
                    if (processes.kill(service, "FAULT " + why)) {
                        record("kill", e, trigger, service + " SIGKILLed (" + why + ")");
                    }
                }, k.delay().toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException ex) {
                // broker shutting down
            }
        }
    }

    /**
     * Called by the ingress for each event it receives: on a {@code kill-on-emit} entry's n-th event of its type from
     * its service, SIGKILLs the service and returns true (the ingress then refuses the event: the sender crashed
     * between deciding and emitting).
     */
    public boolean killOnEmit(CloudEvent e) {
        if (faults.killsOnEmit().isEmpty()) {
            return false;
        }
        String source = e.getSource() == null ? "" : e.getSource().toString();
        List<Faults.KillOnEmit> hit = new ArrayList<>();
        for (Faults.KillOnEmit k : faults.killsOnEmit()) {
            if (k.type().equals(e.getType()) && source.endsWith("/" + k.service())) {
                int n = emitSeen.get(k).incrementAndGet();
                if (n == k.nth() && !fired.computeIfAbsent(k, x -> new AtomicBoolean()).getAndSet(true)) {
                    hit.add(k);
                }
            }
        }
        boolean killed = false;
        for (Faults.KillOnEmit k : hit) {
            String why = k + ": event #" + k.nth() + " of " + e.getType() + " from " + source + " refused";
            if (processes.kill(k.service(), "FAULT " + why)) {
                record("kill-on-emit", e, k.service(), k.service() + " SIGKILLed (" + why + ")");
                killed = true;
            }
        }
        return killed;
    }

    @Override
    public void close() {
        if (killer != null) {
            killer.shutdownNow();
        }
    }
}
