package dev.cnai.events;

/**
 * A step could not go on. {@code reason} is written for a person; {@code kind} is the error kind;
 * {@code causeType}/{@code causeId} identify the event that failed.
 */
public record PipelineFailed(String runId, String step, String kind, String reason, String causeType,
        String causeId) implements EventData {
}
