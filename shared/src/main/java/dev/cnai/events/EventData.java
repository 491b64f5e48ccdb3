package dev.cnai.events;

/** Marker for the {@code data} records of the event catalogue. */
public interface EventData {
    /** The run this event belongs to; it is also the CloudEvent {@code subject}. */
    String runId();
}
