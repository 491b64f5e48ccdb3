package dev.cnai.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cnai.events.DatasetPrepared;
import dev.cnai.events.EventCodec;
import dev.cnai.events.EventTypes;
import dev.cnai.events.ModelEvaluated;
import dev.cnai.events.ModelRegistered;
import dev.cnai.events.ModelRejected;
import dev.cnai.events.PipelineFailed;
import dev.cnai.events.TraceContext;
import dev.cnai.events.RoundCompleted;
import dev.cnai.events.ClassificationMetrics;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Follows a run through the broker's event log and prints its progress a line per step. */
final class RunWatcher {

    /** How a run ended: {@code registered}, {@code rejected}, {@code failed} or {@code timeout}. */
    record Outcome(String status, String reason, ModelEvaluated evaluated, ModelRegistered registered,
            double wallSeconds, Failure failure) {
        Outcome(String status, String reason, ModelEvaluated evaluated, ModelRegistered registered, double wall) {
            this(status, reason, evaluated, registered, wall, null);
        }

        boolean ok() {
            return "registered".equals(status);
        }
    }

    /**
     * Where a failed run failed: the step, the id of its {@code pipeline.failed} event and the trace id that event
     * carries (null without one).
     */
    record Failure(String step, String eventId, String traceId) {
    }

    private final LocalStack stack;
    private final PrintStream out;
    private final Function<String, String> traceLink;

    /** {@code traceLink}: a trace id → the link to print (the trace viewer's page, or the id itself). */
    RunWatcher(LocalStack stack, PrintStream out, Function<String, String> traceLink) {
        this.stack = stack;
        this.out = out;
        this.traceLink = traceLink;
    }

    RunWatcher(LocalStack stack, PrintStream out) {
        this(stack, out, id -> id);
    }

    Outcome follow(String runId, Duration timeout) throws IOException, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        // the broker's index counts all subjects: resume after the last entry seen, not after as many as seen
        long next = 0;
        ModelEvaluated evaluated = null;
        while (System.nanoTime() < deadline) {
            List<JsonNode> entries = stack.entries(runId, next);
            for (JsonNode entry : entries) {
                next = entry.path("index").asLong() + 1;
                JsonNode ev = entry.path("event");
                String type = ev.path("type").asText();
                JsonNode d = ev.path("data");
                double wall = (System.nanoTime() - start) / 1e9;
                switch (type) {
                    case EventTypes.DATASET_PREPARED -> {
                        DatasetPrepared p = bind(type, d, DatasetPrepared.class);
                        out.printf(Locale.ROOT,
                                "prepared   %d train / %d validation / %d test rows in %d shards (dataset %s)%n",
                                p.trainRows(), p.validationRows(), p.testRows(), p.shards().size(),
                                p.datasetDigest().substring(0, 19));
                    }
                    case EventTypes.ROUND_COMPLETED -> {
                        RoundCompleted r = bind(type, d, RoundCompleted.class);
                        out.printf(Locale.ROOT,
                                "round %2d/%-2d train loss %.4f  val loss %.4f  val acc %6.2f%%  %-10s %6.1fs%n",
                                r.round(), r.rounds(), r.trainLoss(), r.validationLoss(), 100 * r.validationAccuracy(),
                                r.decision(), wall);
                    }
                    case EventTypes.MODEL_EVALUATED -> {
                        evaluated = bind(type, d, ModelEvaluated.class);
                        ClassificationMetrics t = evaluated.test();
                        out.printf(Locale.ROOT, "evaluated  test accuracy %.2f%%  macro-F1 %.4f  loss %.4f on %d rows "
                                + "(best round %d)%n", 100 * t.accuracy(), t.macroF1(), t.loss(), t.samples(),
                                evaluated.bestRound());
                    }
                    case EventTypes.MODEL_REGISTERED -> {
                        ModelRegistered r = bind(type, d, ModelRegistered.class);
                        out.printf("registered %s (%s)%n", r.reference(), r.manifestDigest());
                        return new Outcome("registered", null, evaluated, r, wall);
                    }
                    case EventTypes.MODEL_REJECTED -> {
                        ModelRejected r = bind(type, d, ModelRejected.class);
                        out.printf("rejected   %s%n", r.reason());
                        return new Outcome("rejected", r.reason(), evaluated, null, wall);
                    }
                    case EventTypes.PIPELINE_FAILED -> {
                        PipelineFailed f = bind(type, d, PipelineFailed.class);
                        Failure where = new Failure(f.step(), ev.path("id").asText(null), TraceContext.of(
                                ev.path(TraceContext.TRACEPARENT).asText(null), null).map(TraceContext::traceId)
                                .orElse(null));
                        out.printf("FAILED     in %s: %s%n", f.step(), f.reason());
                        out.printf("           event %s (%s)%s%n", where.eventId(), type, where.traceId() == null
                                ? "" : ", trace " + traceLink.apply(where.traceId()));
                        return new Outcome("failed", f.reason(), evaluated, null, wall, where);
                    }
                    default -> {
                        // shard-level events are in the broker's log; keep the console to one line per round
                    }
                }
            }
            Thread.sleep(200);
        }
        return new Outcome("timeout", "no result within " + timeout, evaluated, null, (System.nanoTime() - start) / 1e9);
    }

    /** The event's data bound by {@link EventCodec} to the record of its type. */
    private static <T> T bind(String type, JsonNode data, Class<T> record) {
        return record.cast(EventCodec.bind(type, data));
    }
}
