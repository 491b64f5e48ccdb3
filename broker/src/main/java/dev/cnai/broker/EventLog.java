package dev.cnai.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloudevents.CloudEvent;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The broker's record of what happened: one JSON object per line in {@code <dataDir>/events.jsonl}, dead-lettered
 * events in {@code <dataDir>/dead-letter.jsonl}, a concise line per record on the console, and the accepted
 * events in memory for {@code GET /events}. Every line is flushed as it is written.
 */
public final class EventLog implements Closeable {

    /** File name of the event log inside the data directory. */
    public static final String EVENTS_FILE = "events.jsonl";
    /** File name of the dead-letter file inside the data directory. */
    public static final String DEAD_LETTER_FILE = "dead-letter.jsonl";

    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    /** What a log record is about. */
    public enum Kind {
        /** An event entered the broker (from the ingress or as a reply). */
        ACCEPTED("accepted", "⇐"),
        /** A subscriber answered 2xx. */
        DELIVERED("delivered", "→"),
        /** An attempt failed and will be retried. */
        RETRY("retry", "↻"),
        /** An attempt failed for good, or a dead-letter sink could not be reached. */
        FAILED("failed", "✗"),
        /** An event was written to the dead-letter file (and posted to the sink when there is one). */
        DEAD_LETTERED("dead-lettered", "☠"),
        /** A subscriber replied with a CloudEvent, which is re-injected. */
        REPLY("reply", "↩"),
        /** The broker injected a fault on purpose ({@code --faults}, development only). */
        FAULT("fault", "⚡");

        private final String label;
        private final String arrow;

        Kind(String label, String arrow) {
            this.label = label;
            this.arrow = arrow;
        }

        /** The name used in {@code events.jsonl}. */
        public String label() {
            return label;
        }
    }

    /**
     * An accepted event as kept for {@code GET /events}.
     *
     * @param index position in arrival order, from 0
     * @param receivedAt when the broker accepted it
     * @param origin {@code ingress} or {@code reply:<trigger>}
     * @param duplicate whether the same source+id was seen within the duplicate window
     * @param subject the event's subject, or null
     * @param event the structured-mode JSON event
     */
    public record AcceptedEvent(long index, Instant receivedAt, String origin, boolean duplicate, String subject,
            JsonNode event) {

        /** JSON form served by {@code GET /events}. */
        public ObjectNode toJson() {
            ObjectNode o = Events.JSON.createObjectNode();
            o.put("index", index);
            o.put("receivedAt", receivedAt.toString());
            o.put("origin", origin);
            o.put("duplicate", duplicate);
            o.set("event", event);
            return o;
        }
    }

    private final BufferedWriter events;
    private final BufferedWriter deadLetters;
    private final PrintStream console;
    private final int memoryEvents;
    /**
     * Accepted events, {@code memoryEvents} at most, as a ring indexed by {@code index % ring.length}. It has its own
     * lock, held only to append or copy references, so that {@code GET /events} never waits behind file writes and
     * console output (which hold {@code this}).
     */
    private final AcceptedEvent[] ring;
    private final Object ringLock = new Object();
    private long nextIndex;
    private boolean closed;

    /**
     * One page of {@link #page}.
     *
     * @param entries the matching events, in index order
     * @param nextSince where the next page starts: pass it as {@code since}
     * @param more true when the scan stopped at the limit before the newest event (ask again at once)
     * @param firstIndex oldest index still kept in memory; a {@code since} below it has missed events
     */
    public record Page(List<AcceptedEvent> entries, long nextSince, boolean more, long firstIndex) {
    }

    /**
     * Opens (appending) the log files under {@code dataDir}, creating it if needed.
     *
     * @param console where the human-readable lines go (null for none)
     * @param memoryEvents how many accepted events to keep in memory for queries
     */
    public EventLog(Path dataDir, PrintStream console, int memoryEvents) throws IOException {
        Files.createDirectories(dataDir);
        this.events = Files.newBufferedWriter(dataDir.resolve(EVENTS_FILE), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        this.deadLetters = Files.newBufferedWriter(dataDir.resolve(DEAD_LETTER_FILE), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        this.console = console;
        this.memoryEvents = memoryEvents;
        this.ring = new AcceptedEvent[memoryEvents];
    }

    /** Records an accepted event and keeps it for queries; returns it with its index. */
    public AcceptedEvent accepted(CloudEvent e, String origin, List<String> triggers, boolean duplicate) {
        Instant now = Instant.now();
        JsonNode json = Events.toJson(e);
        ObjectNode line = base(now, Kind.ACCEPTED, e, null);
        line.put("origin", origin);
        line.put("duplicate", duplicate);
        line.set("triggers", Events.JSON.valueToTree(triggers));
        line.set("event", json);
        String detail = triggers.isEmpty() ? "no matching trigger" : "→ " + String.join(", ", triggers);
        synchronized (this) {
            AcceptedEvent a;
            synchronized (ringLock) {
                a = new AcceptedEvent(nextIndex, now, origin, duplicate, e.getSubject(), json);
                ring[(int) (nextIndex % memoryEvents)] = a;
                nextIndex++;
            }
            write(events, line);
            print(now, Kind.ACCEPTED, origin, e, (duplicate ? "DUPLICATE " : "") + detail);
            return a;
        }
    }

    /**
     * Records a delivery outcome (delivered, retry, failed, reply).
     *
     * @param status HTTP status, or null when there was no response
     * @param attempt 1-based attempt number, or null
     * @param millis duration of the attempt, or null
     * @param target URL posted to, or null
     * @param reason why it failed or what happens next, or null
     */
    public void record(Kind kind, CloudEvent e, String trigger, Integer status, Integer attempt, Long millis,
            String target, String reason) {
        Instant now = Instant.now();
        ObjectNode line = base(now, kind, e, trigger);
        putOpt(line, "status", status);
        putOpt(line, "attempt", attempt);
        putOpt(line, "millis", millis);
        if (target != null) {
            line.put("target", target);
        }
        if (reason != null) {
            line.put("reason", reason);
        }
        StringBuilder detail = new StringBuilder();
        if (status != null) {
            detail.append(status);
        }
        if (millis != null) {
            detail.append(detail.length() > 0 ? " " : "").append(millis).append("ms");
        }
        if (attempt != null && (attempt > 1 || kind != Kind.DELIVERED)) {
            detail.append(" (attempt ").append(attempt).append(')');
        }
        if (reason != null) {
            detail.append(detail.length() > 0 ? "  " : "").append(reason);
        }
        synchronized (this) {
            write(events, line);
            print(now, kind, trigger, e, detail.toString());
        }
    }

    /**
     * Appends a dead-lettered event to {@code dead-letter.jsonl} and records it in the event log.
     *
     * @param deadLettered the event with the knativeerror* extensions
     * @param status last HTTP status, or null
     * @param responseExcerpt start of the last response body, or empty
     * @param attempts delivery attempts made
     * @param target the subscriber URL, or a description when unresolved
     * @param sink the dead-letter sink URL it will be posted to, or null
     */
    public void deadLetter(CloudEvent deadLettered, String trigger, String reason, Integer status,
            String responseExcerpt, int attempts, String target, String sink) {
        Instant now = Instant.now();
        ObjectNode dl = Events.JSON.createObjectNode();
        dl.put("time", now.toString());
        dl.put("trigger", trigger);
        dl.put("reason", reason);
        putOpt(dl, "status", status);
        dl.put("responseBody", responseExcerpt == null ? "" : responseExcerpt);
        dl.put("attempts", attempts);
        dl.put("target", target);
        if (sink != null) {
            dl.put("deadLetterSink", sink);
        }
        dl.set("event", Events.toJson(deadLettered));
        ObjectNode line = base(now, Kind.DEAD_LETTERED, deadLettered, trigger);
        putOpt(line, "status", status);
        line.put("attempt", attempts);
        line.put("reason", reason);
        line.put("target", target);
        if (sink != null) {
            line.put("deadLetterSink", sink);
        }
        String detail = (status == null ? "" : status + "  ") + reason
                + (sink == null ? "  → " + DEAD_LETTER_FILE : "  → " + DEAD_LETTER_FILE + " + " + sink);
        synchronized (this) {
            write(deadLetters, dl);
            write(events, line);
            print(now, Kind.DEAD_LETTERED, trigger, deadLettered, detail);
        }
    }

    /** Prints a broker message (start-up, warnings) on the console. */
    public void info(String message) {
        if (console != null) {
            synchronized (this) {
                console.println(CLOCK.format(Instant.now()) + "   " + message);
                console.flush();
            }
        }
    }

    /**
     * Accepted events with {@code index >= since}, in arrival order, whose subject equals {@code subject}
     * (any subject when null), at most {@code limit}.
     */
    public List<AcceptedEvent> query(String subject, long since, int limit) {
        return page(subject, since, limit).entries();
    }

    /**
     * Like {@link #query}, and says where the next page starts. Copies references under a short lock: the JSON is
     * built by the caller without holding it.
     */
    public Page page(String subject, long since, int limit) {
        List<AcceptedEvent> out = new ArrayList<>();
        synchronized (ringLock) {
            long first = Math.max(0, nextIndex - memoryEvents);
            long i = Math.max(since, first);
            for (; i < nextIndex && out.size() < limit; i++) {
                AcceptedEvent a = ring[(int) (i % memoryEvents)];
                if (subject == null || subject.equals(a.subject())) {
                    out.add(a);
                }
            }
            long next = Math.max(since, i);
            return new Page(out, next, i < nextIndex, first);
        }
    }

    /** How many events have been accepted since the broker started. */
    public long acceptedCount() {
        synchronized (ringLock) {
            return nextIndex;
        }
    }

    /**
     * Records an injected fault: a {@code fault} line in {@code events.jsonl} and {@code FAULT <fault> <type> <id>
     * -> <trigger>  <detail>} on the console.
     *
     * @param trigger the Trigger (or service) it hit, or null
     */
    public void fault(String fault, CloudEvent e, String trigger, String detail) {
        Instant now = Instant.now();
        ObjectNode line = base(now, Kind.FAULT, e, trigger);
        line.put("fault", fault);
        if (detail != null) {
            line.put("reason", detail);
        }
        synchronized (this) {
            write(events, line);
            if (console != null) {
                console.println(CLOCK.format(now) + " " + Kind.FAULT.arrow + " FAULT " + fault + " " + e.getType()
                        + " " + e.getId() + (trigger == null ? "" : " -> " + trigger)
                        + (detail == null || detail.isEmpty() ? "" : "  " + detail));
                console.flush();
            }
        }
    }

    /** Flushes and closes the files; later records only reach the console. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            events.close();
        } finally {
            deadLetters.close();
        }
    }

    private ObjectNode base(Instant now, Kind kind, CloudEvent e, String trigger) {
        ObjectNode o = Events.JSON.createObjectNode();
        o.put("time", now.toString());
        o.put("kind", kind.label());
        o.put("type", e.getType());
        o.put("id", e.getId());
        o.put("source", e.getSource().toString());
        if (e.getSubject() != null) {
            o.put("subject", e.getSubject());
        }
        if (trigger != null) {
            o.put("trigger", trigger);
        }
        return o;
    }

    private static void putOpt(ObjectNode o, String k, Number v) {
        if (v instanceof Integer i) {
            o.put(k, i);
        } else if (v instanceof Long l) {
            o.put(k, l);
        }
    }

    private void write(BufferedWriter w, ObjectNode line) {
        if (closed) {
            if (console != null) {
                console.println("(log closed) " + line);
            }
            return;
        }
        try {
            w.write(Events.JSON.writeValueAsString(line));
            w.newLine();
            w.flush();
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write broker log", ex);
        }
    }

    private void print(Instant now, Kind kind, String who, CloudEvent e, String detail) {
        if (console == null) {
            return;
        }
        String summary = Events.summary(Events.dataJson(e));
        StringBuilder sb = new StringBuilder();
        sb.append(CLOCK.format(now)).append(' ').append(kind.arrow).append(' ')
                .append(who == null ? "" : who).append("  ").append(e.getType());
        if (e.getSubject() != null) {
            sb.append("  ").append(e.getSubject());
        }
        if (!summary.isEmpty()) {
            sb.append(" [").append(summary).append(']');
        }
        if (!detail.isEmpty()) {
            sb.append("  ").append(detail);
        }
        console.println(sb);
        console.flush();
    }
}
