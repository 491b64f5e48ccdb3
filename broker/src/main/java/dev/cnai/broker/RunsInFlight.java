package dev.cnai.broker;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Pipeline runs the broker has seen started and not yet ended, from the events it accepts: every event of a run
 * carries the run id as its CloudEvents {@code subject} (docs/events.md). A run starts with the first of its
 * pipeline events (preprocess's {@code dataset.prepared} and {@code shard.assigned}, or a later one when the broker
 * restarted mid-run) and ends with {@code model.registered}, {@code model.rejected} or {@code pipeline.failed}. An
 * ended run is remembered, so a redelivered event of it does not count it again; the oldest of the last {@value
 * #REMEMBERED} runs is forgotten first. A run stuck behind a dead letter stays in flight: that is what it is.
 */
final class RunsInFlight {
    /** How many runs, in flight or ended, are remembered. */
    static final int REMEMBERED = 4096;

    private static final Set<String> PROGRESS = Set.of("dev.cnai.run.requested", "dev.cnai.dataset.prepared",
            "dev.cnai.shard.assigned", "dev.cnai.shard.trained", "dev.cnai.round.completed",
            "dev.cnai.model.evaluated");
    private static final Set<String> END = Set.of("dev.cnai.model.registered", "dev.cnai.model.rejected",
            "dev.cnai.pipeline.failed");

    /** run id → ended; insertion order, the eldest dropped beyond {@code capacity}. */
    private final Map<String, Boolean> runs;
    private int inFlight;

    RunsInFlight(int capacity) {
        this.runs = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                if (size() <= capacity) {
                    return false;
                }
                if (!eldest.getValue()) {
                    inFlight--;
                }
                return true;
            }
        };
    }

    /** Counts an accepted event of {@code type} with {@code subject}; events of no run (no subject) are ignored. */
    synchronized void observe(String type, String subject) {
        if (type == null || subject == null || subject.isBlank()) {
            return;
        }
        if (END.contains(type)) {
            Boolean ended = runs.put(subject, true);
            if (ended != null && !ended) {
                inFlight--;
            }
        } else if (PROGRESS.contains(type) && !runs.containsKey(subject)) {
            runs.put(subject, false);
            inFlight++;
        }
    }

    /** Runs started and not ended. */
    synchronized int count() {
        return inFlight;
    }
}
