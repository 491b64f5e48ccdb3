package dev.cnai.events;

/**
 * An event a pipeline step wants emitted. Its id is deterministic (derived from run, round, shard
 * and type) so that a redelivered input re-emits byte-identical events that consumers deduplicate.
 */
public record OutgoingEvent(String type, String source, String subject, String id, EventData data) {

    public static OutgoingEvent of(String type, String function, EventData data, String... idParts) {
        StringBuilder id = new StringBuilder(data.runId());
        for (String p : idParts) {
            id.append('/').append(p);
        }
        id.append('/').append(type.substring(type.lastIndexOf('.', type.lastIndexOf('.') - 1) + 1));
        return new OutgoingEvent(type, EventTypes.SOURCE_PREFIX + function, data.runId(), id.toString(), data);
    }
}
