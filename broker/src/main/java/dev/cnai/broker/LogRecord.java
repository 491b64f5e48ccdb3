package dev.cnai.broker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloudevents.CloudEvent;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * One record of what happened to an event in the broker: a delivery outcome ({@code delivered}, {@code retry},
 * {@code failed}, {@code reply}) or a dead letter. {@link #toJson()} renders its {@code events.jsonl} line,
 * {@link #toDeadLetterJson()} its {@code dead-letter.jsonl} line and {@link #toConsole()} its console line. Build one
 * with {@link #of} or {@link #deadLettered} and the named setters of {@link Builder}; what is not set is absent.
 *
 * @param time when it happened
 * @param kind what it is about
 * @param event the event (for a dead letter: with the {@code knativeerror*} extensions)
 * @param trigger the Trigger (or {@code <trigger> (dead-letter sink)}) it concerns, or null
 * @param status HTTP status, or null when there was no response
 * @param attempt 1-based attempt number (for a dead letter: the attempts made), or null
 * @param millis duration of the attempt, or null
 * @param target URL posted to (for a dead letter: the subscriber URL or a description), or null
 * @param reason why it failed or what happens next, or null
 * @param responseBody start of the last response body (dead letters), or null
 * @param deadLetterSink the dead-letter sink URL a dead letter is posted to, or null
 */
public record LogRecord(Instant time, EventLog.Kind kind, CloudEvent event, String trigger, Integer status,
        Integer attempt, Long millis, String target, String reason, String responseBody, String deadLetterSink) {

    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    /** A delivery outcome of {@code kind} for {@code event} and {@code trigger}. */
    public static Builder of(EventLog.Kind kind, CloudEvent event, String trigger) {
        return new Builder(kind, event, trigger);
    }

    /** A dead letter: {@code deadLettered} (with its error extensions) given up for {@code trigger}. */
    public static Builder deadLettered(CloudEvent deadLettered, String trigger, String reason, String target) {
        return new Builder(EventLog.Kind.DEAD_LETTERED, deadLettered, trigger).reason(reason).target(target);
    }

    /** The {@code events.jsonl} line. */
    public ObjectNode toJson() {
        ObjectNode line = base(time, kind, event, trigger);
        putOpt(line, "status", status);
        if (kind == EventLog.Kind.DEAD_LETTERED) {
            line.put("attempt", attempt == null ? 0 : attempt);
            line.put("reason", reason);
            line.put("target", target);
            if (deadLetterSink != null) {
                line.put("deadLetterSink", deadLetterSink);
            }
            return line;
        }
        putOpt(line, "attempt", attempt);
        putOpt(line, "millis", millis);
        if (target != null) {
            line.put("target", target);
        }
        if (reason != null) {
            line.put("reason", reason);
        }
        return line;
    }

    /** The {@code dead-letter.jsonl} line of a dead letter. */
    public ObjectNode toDeadLetterJson() {
        ObjectNode dl = Events.JSON.createObjectNode();
        dl.put("time", time.toString());
        dl.put("trigger", trigger);
        dl.put("reason", reason);
        putOpt(dl, "status", status);
        dl.put("responseBody", responseBody == null ? "" : responseBody);
        dl.put("attempts", attempt == null ? 0 : attempt);
        dl.put("target", target);
        if (deadLetterSink != null) {
            dl.put("deadLetterSink", deadLetterSink);
        }
        String traceId = Events.traceId(event);
        if (traceId != null) {
            dl.put("traceId", traceId);
        }
        dl.set("event", Events.toJson(event));
        return dl;
    }

    /** The console line: time, arrow, who, type, subject, data summary, then status, duration, attempt, reason. */
    public String toConsole() {
        StringBuilder detail = new StringBuilder();
        if (kind == EventLog.Kind.DEAD_LETTERED) {
            detail.append(status == null ? "" : status + "  ").append(reason).append("  → ")
                    .append(EventLog.DEAD_LETTER_FILE).append(deadLetterSink == null ? "" : " + " + deadLetterSink);
            return console(time, kind, trigger, event, detail.toString());
        }
        if (status != null) {
            detail.append(status);
        }
        if (millis != null) {
            detail.append(detail.length() > 0 ? " " : "").append(millis).append("ms");
        }
        if (attempt != null && (attempt > 1 || kind != EventLog.Kind.DELIVERED)) {
            detail.append(" (attempt ").append(attempt).append(')');
        }
        if (reason != null) {
            detail.append(detail.length() > 0 ? "  " : "").append(reason);
        }
        return console(time, kind, trigger, event, detail.toString());
    }

    /** The fields every {@code events.jsonl} line starts with. */
    static ObjectNode base(Instant time, EventLog.Kind kind, CloudEvent e, String trigger) {
        ObjectNode o = Events.JSON.createObjectNode();
        o.put("time", time.toString());
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

    /** {@code HH:mm:ss.SSS}, the broker's console clock. */
    static String clock(Instant time) {
        return CLOCK.format(time);
    }

    /** A console line: {@code <clock> <arrow> <who>  <type>  <subject> [<summary>]  <detail>}. */
    static String console(Instant time, EventLog.Kind kind, String who, CloudEvent e, String detail) {
        String summary = Events.summary(Events.dataJson(e));
        StringBuilder sb = new StringBuilder();
        sb.append(clock(time)).append(' ').append(kind.arrow()).append(' ')
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
        return sb.toString();
    }

    private static void putOpt(ObjectNode o, String k, Number v) {
        if (v instanceof Integer i) {
            o.put(k, i);
        } else if (v instanceof Long l) {
            o.put(k, l);
        }
    }

    /** Named settings of a {@link LogRecord}; {@link #build()} stamps the time. */
    public static final class Builder {
        private final EventLog.Kind kind;
        private final CloudEvent event;
        private final String trigger;
        private Integer status;
        private Integer attempt;
        private Long millis;
        private String target;
        private String reason;
        private String responseBody;
        private String deadLetterSink;

        private Builder(EventLog.Kind kind, CloudEvent event, String trigger) {
            this.kind = kind;
            this.event = event;
            this.trigger = trigger;
        }

        /** HTTP status (null: no response). */
        public Builder status(Integer v) {
            status = v;
            return this;
        }

        /** Attempt number; for a dead letter, attempts made. */
        public Builder attempt(Integer v) {
            attempt = v;
            return this;
        }

        /** Duration of the attempt in milliseconds. */
        public Builder millis(Long v) {
            millis = v;
            return this;
        }

        /** URL posted to. */
        public Builder target(String v) {
            target = v;
            return this;
        }

        /** Why it failed or what happens next. */
        public Builder reason(String v) {
            reason = v;
            return this;
        }

        /** Start of the last response body (dead letters). */
        public Builder responseBody(String v) {
            responseBody = v;
            return this;
        }

        /** Dead-letter sink URL the dead letter is posted to (null: file only). */
        public Builder deadLetterSink(String v) {
            deadLetterSink = v;
            return this;
        }

        /** The record, timed now. */
        public LogRecord build() {
            return new LogRecord(Instant.now(), kind, event, trigger, status, attempt, millis, target, reason,
                    responseBody, deadLetterSink);
        }
    }
}
