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

        /** The symbol that starts its console line. */
        String arrow() {
            return arrow;
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
    private final BrokerMetrics metrics;
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
        this(dataDir, console, memoryEvents, BrokerMetrics.none());
    }

    /** Like {@link #EventLog(Path, PrintStream, int)}, counting every dead letter it writes in {@code metrics}. */
    public EventLog(Path dataDir, PrintStream console, int memoryEvents, BrokerMetrics metrics) throws IOException {
        Files.createDirectories(dataDir);
        this.metrics = metrics;
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
        ObjectNode line = LogRecord.base(now, Kind.ACCEPTED, e, null);
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
            if (console != null) {
                println(LogRecord.console(now, Kind.ACCEPTED, origin, e, (duplicate ? "DUPLICATE " : "") + detail));
            }
            return a;
        }
    }

    /**
     * Records a delivery outcome or a dead letter: its line in {@code events.jsonl} and on the console, and for a
     * {@link Kind#DEAD_LETTERED} record also its line in {@code dead-letter.jsonl}.
     */
    public void record(LogRecord r) {
        ObjectNode line = r.toJson();
        ObjectNode dead = r.kind() == Kind.DEAD_LETTERED ? r.toDeadLetterJson() : null;
        String text = console == null ? null : r.toConsole();
        synchronized (this) {
            if (dead != null) {
                write(deadLetters, dead);
                metrics.deadLetter(r.trigger());
            }
            write(events, line);
            println(text);
        }
    }

    /** Prints a broker message (start-up, warnings) on the console. */
    public void info(String message) {
        if (console != null) {
            synchronized (this) {
                println(LogRecord.clock(Instant.now()) + "   " + message);
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
        ObjectNode line = LogRecord.base(now, Kind.FAULT, e, trigger);
        line.put("fault", fault);
        if (detail != null) {
            line.put("reason", detail);
        }
        synchronized (this) {
            write(events, line);
            if (console != null) {
                println(LogRecord.clock(now) + " " + Kind.FAULT.arrow + " FAULT " + fault + " " + e.getType()
                        + " " + e.getId() + (trigger == null ? "" : " -> " + trigger)
                        + (detail == null || detail.isEmpty() ? "" : "  " + detail));
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

    /** Prints {@code line} on the console, if there is one and there is a line; the caller holds {@code this}. */
    private void println(String line) {
        if (console != null && line != null) {
            console.println(line);
            console.flush();
        }
    }
}
