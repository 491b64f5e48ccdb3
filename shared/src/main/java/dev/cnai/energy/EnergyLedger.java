package dev.cnai.energy;

import dev.cnai.events.EventCodec;
import dev.cnai.events.EventData;
import dev.cnai.events.ShardAssigned;
import dev.cnai.events.ShardTrained;
import dev.cnai.storage.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The run's energy records in the object store: one {@link StepEnergy} per (function, event id) at
 * {@code runs/<run>/energy/<function>/<event id>.json}, created once ({@code putIfAbsent}): a redelivered event,
 * whose step answers from the store, does not add a second record, so sums over a run count each step once.
 */
public final class EnergyLedger {
    private final ObjectStore store;

    public EnergyLedger(ObjectStore store) {
        this.store = store;
    }

    /** The key of an event's record. */
    public static String key(String runId, String function, String eventId) {
        return prefix(runId) + safe(function) + "/" + safe(eventId) + ".json";
    }

    public static String prefix(String runId) {
        return "runs/" + runId + "/energy/";
    }

    /** Stores the record unless one exists for its (function, event); returns whether it was created. */
    public boolean record(StepEnergy e) {
        return store.putIfAbsent(key(e.runId(), e.function(), e.eventId()), EventCodec.encode(e)).created();
    }

    /** Every record of the run, sorted by start time (empty when none was recorded). */
    public List<StepEnergy> list(String runId) {
        List<StepEnergy> out = new ArrayList<>();
        for (String key : store.list(prefix(runId))) {
            Optional<byte[]> b = store.get(key);
            b.ifPresent(bytes -> out.add(EventCodec.read(bytes, StepEnergy.class)));
        }
        out.sort(java.util.Comparator.comparingLong(StepEnergy::startedAtMillis));
        return out;
    }

    /** The training round an event belongs to, if it has one. */
    public static Integer round(EventData data) {
        if (data instanceof ShardAssigned a) {
            return a.round();
        }
        if (data instanceof ShardTrained t) {
            return t.round();
        }
        return null;
    }

    /** The shard an event belongs to, if it has one. */
    public static Integer shard(EventData data) {
        if (data instanceof ShardAssigned a) {
            return a.shard();
        }
        if (data instanceof ShardTrained t) {
            return t.shard();
        }
        return null;
    }

    /** A key segment from any id: characters outside {@code [A-Za-z0-9._-]} become {@code _}; never {@code .}/{@code ..}. */
    static String safe(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == '-' || c == '_' ? c : '_');
        }
        String out = b.toString();
        if (out.isEmpty() || out.chars().allMatch(c -> c == '.')) {
            out = "_" + out;
        }
        if (out.length() > 200) {
            out = out.substring(0, 120) + "-" + dev.cnai.storage.Digests.sha256(s.getBytes(StandardCharsets.UTF_8))
                    .substring(7, 23);
        }
        return out;
    }
}
