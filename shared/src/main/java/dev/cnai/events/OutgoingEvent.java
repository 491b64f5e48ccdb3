package dev.cnai.events;

/**
 * An event a pipeline step wants emitted. Its id is deterministic (derived from run, round, shard
 * and type) so that a redelivered input re-emits byte-identical events that consumers deduplicate. It carries no
 * {@code source}: the function that sends it stamps {@code /cnai/<function>} from its one configured name. The trace
 * context ({@code traceparent}/{@code tracestate} extension attributes) is stamped by the function's span
 * ({@code dev.cnai.tracing.StepSpan}); it is not part of the id.
 *
 * @param trace the Distributed Tracing extension to send, or null for none
 */
public record OutgoingEvent(String type, String subject, String id, EventData data, TraceContext trace) {

    public OutgoingEvent(String type, String subject, String id, EventData data) {
        this(type, subject, id, data, null);
    }

    /** An event about {@code data}'s run, with the id {@code <runId>/<idParts…>/<short type>}. */
    public static OutgoingEvent of(String type, EventData data, String... idParts) {
        StringBuilder id = new StringBuilder(data.runId());
        for (String p : idParts) {
            id.append('/').append(p);
        }
        id.append('/').append(type.substring(type.lastIndexOf('.', type.lastIndexOf('.') - 1) + 1));
        return new OutgoingEvent(type, data.runId(), id.toString(), data);
    }

    /** The same event (same id) carrying {@code context} as its trace context; null removes it. */
    public OutgoingEvent withTrace(TraceContext context) {
        return new OutgoingEvent(type, subject, id, data, context);
    }
}
