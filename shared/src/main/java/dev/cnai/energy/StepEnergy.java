package dev.cnai.energy;

/**
 * The stored cost of one handled event (wire data: {@code runs/<run>/energy/<function>/<event>.json}).
 *
 * @param function        the function that handled it
 * @param eventType       the CloudEvent type handled
 * @param eventId         the CloudEvent id (deterministic for pipeline events)
 * @param round           the training round the event belongs to, if any
 * @param shard           the shard, if any
 * @param startedAtMillis when handling began (epoch milliseconds)
 * @param wallSeconds     handling time, from the CloudEvent gate to the end of the response (emissions included)
 * @param cpuSeconds      process CPU time attributed to the handling
 * @param joules          energy attributed to the handling
 * @param source          {@code rapl} (measured) or {@code estimate}
 * @param method          how the joules were obtained, in words
 */
public record StepEnergy(String runId, String function, String eventType, String eventId, Integer round,
        Integer shard, long startedAtMillis, double wallSeconds, double cpuSeconds, double joules,
        EnergySource source, String method) {
}
