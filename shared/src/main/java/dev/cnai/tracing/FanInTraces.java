package dev.cnai.tracing;

import dev.cnai.events.TraceContext;
import dev.cnai.storage.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The trace context of each shard's report of a round, kept beside the reports ({@code runs/<run>/rounds/<r>/traces/
 * shard-<i>.traceparent}, create-if-absent: the first delivery's), so that the evaluate delivery that completes the
 * fan-in can link its span to every shard's train-shard span, although each report arrived in another delivery and,
 * with several replicas, in another process.
 */
public final class FanInTraces {
    private final ObjectStore store;

    public FanInTraces(ObjectStore store) {
        this.store = store;
    }

    /** Keeps {@code context} as the trace of this shard's report (the first one kept wins). */
    public void record(String runId, int round, int shard, TraceContext context) {
        if (context != null) {
            String text = context.traceparent() + (context.tracestate() == null ? "" : "\n" + context.tracestate());
            store.putIfAbsent(key(runId, round, shard), text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The trace contexts recorded for the round's shards, in shard order (those without one left out). */
    public List<TraceContext> contexts(String runId, int round, int shards) {
        List<TraceContext> out = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            store.get(key(runId, round, i)).flatMap(FanInTraces::parse).ifPresent(out::add);
        }
        return out;
    }

    private static Optional<TraceContext> parse(byte[] bytes) {
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", 2);
        return TraceContext.of(lines[0].trim(), lines.length > 1 ? lines[1] : null);
    }

    static String key(String runId, int round, int shard) {
        return "runs/" + runId + "/rounds/" + round + "/traces/shard-" + shard + ".traceparent";
    }
}
