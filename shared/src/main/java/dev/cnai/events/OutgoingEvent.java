package dev.cnai.events;

/**
 * An event a pipeline step wants emitted. Its id is deterministic (derived from run, round, shard
 * and type) so that a redelivered input re-emits byte-identical events that consumers deduplicate. It carries no
 * {@code source}: the function that sends it stamps {@code /cnai/<function>} from its one configured name.
 */
public record OutgoingEvent(String type, String subject, String id, EventData data) {

    /** An event about {@code data}'s run, with the id {@code <runId>/<idParts…>/<short type>}. */
    public static OutgoingEvent of(String type, EventData data, String... idParts) {
        StringBuilder id = new StringBuilder(data.runId());
        for (String p : idParts) {
            id.append('/').append(p);
        }
        id.append('/').append(type.substring(type.lastIndexOf('.', type.lastIndexOf('.') - 1) + 1));
        return new OutgoingEvent(type, data.runId(), id.toString(), data);
    }
}
