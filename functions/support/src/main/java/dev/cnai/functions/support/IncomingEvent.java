package dev.cnai.functions.support;

import dev.cnai.events.EventData;
import dev.cnai.events.TraceContext;

/**
 * The attributes and validated data of the CloudEvent being handled, as the gate accepted them.
 *
 * @param trace its Distributed Tracing extension ({@code traceparent}, {@code tracestate}), or null
 */
public record IncomingEvent(String type, String id, String source, String subject, EventData data, TraceContext trace) {
    /** Routing-context key under which the gate stores the accepted event. */
    public static final String KEY = "cnai.incoming";
}
