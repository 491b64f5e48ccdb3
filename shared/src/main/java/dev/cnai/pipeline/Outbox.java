package dev.cnai.pipeline;

import dev.cnai.events.EventCodec;
import dev.cnai.events.OutgoingEvent;
import dev.cnai.storage.ObjectStore;
import java.util.List;

/**
 * Which emissions were confirmed. A step that decided something sends the decision's events and, once the sender
 * has acknowledged all of them, writes a confirmation record under {@code runs/<run>/outbox/<name>.json}. A
 * redelivered input whose emission is confirmed emits nothing: re-emitting on every redelivery is safe for one hop
 * but multiplies across the train-shard → evaluate → train-shard loop (each duplicate report would re-send a whole
 * round's fan-out). A crash after deciding and before the confirmation loses nothing: the confirmation is missing,
 * so the redelivery of that same input emits (with the same deterministic event ids).
 */
final class Outbox {
    /** What is recorded: how many events went out, and their ids (for a person reading the store). */
    record Confirmation(String runId, String name, List<String> ids, long confirmedAtMillis) {
    }

    private final ObjectStore store;

    Outbox(ObjectStore store) {
        this.store = store;
    }

    boolean confirmed(String runId, String name) {
        return store.exists(key(runId, name));
    }

    /**
     * Sends {@code events} and records the emission as confirmed once the sender returned.
     *
     * @return the events sent
     */
    List<OutgoingEvent> send(String runId, String name, List<OutgoingEvent> events, EventSender sender) {
        sender.send(events);
        store.putIfAbsent(key(runId, name), EventCodec.encode(new Confirmation(runId, name,
                events.stream().map(OutgoingEvent::id).toList(), System.currentTimeMillis())));
        return events;
    }

    static String key(String runId, String name) {
        return "runs/" + runId + "/outbox/" + name + ".json";
    }
}
