package dev.cnai.functions.support;

import dev.cnai.events.EventData;

/** The attributes and validated data of the CloudEvent being handled, as the gate accepted them. */
public record IncomingEvent(String type, String id, String source, String subject, EventData data) {
    /** Routing-context key under which the gate stores the accepted event. */
    public static final String KEY = "cnai.incoming";
}
