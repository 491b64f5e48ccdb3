package dev.cnai.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cnai.events.EventTypes;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** Follows a run through the broker's event log and prints its progress a line per step. */
final class RunWatcher {

    /** How a run ended: {@code registered}, {@code rejected}, {@code failed} or {@code timeout}. */
    record Outcome(String status, String reason, JsonNode evaluated, JsonNode registered, double wallSeconds) {
        boolean ok() {
            return "registered".equals(status);
        }
    }

    private final LocalStack stack;
    private final PrintStream out;

    RunWatcher(LocalStack stack, PrintStream out) {
        this.stack = stack;
        this.out = out;
    }

    Outcome follow(String runId, Duration timeout) throws IOException, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        // the broker's index counts all subjects: resume after the last entry seen, not after as many as seen
        long next = 0;
        JsonNode evaluated = null;
        while (System.nanoTime() < deadline) {
            List<JsonNode> entries = stack.entries(runId, next);
            for (JsonNode entry : entries) {
                next = entry.path("index").asLong() + 1;
                JsonNode ev = entry.path("event");
                String type = ev.path("type").asText();
                JsonNode d = ev.path("data");
                double wall = (System.nanoTime() - start) / 1e9;
                switch (type) {
                    case EventTypes.DATASET_PREPARED -> out.printf(Locale.ROOT,
                            "prepared   %d train / %d validation / %d test rows in %d shards (dataset %s)%n",
                            d.path("trainRows").asInt(), d.path("validationRows").asInt(), d.path("testRows").asInt(),
                            d.path("shards").size(), d.path("datasetDigest").asText().substring(0, 19));
                    case EventTypes.ROUND_COMPLETED -> out.printf(Locale.ROOT,
                            "round %2d/%-2d train loss %.4f  val loss %.4f  val acc %6.2f%%  %-10s %6.1fs%n",
                            d.path("round").asInt(), d.path("rounds").asInt(), d.path("trainLoss").asDouble(),
                            d.path("validationLoss").asDouble(), 100 * d.path("validationAccuracy").asDouble(),
                            d.path("decision").asText(), wall);
                    case EventTypes.MODEL_EVALUATED -> {
                        evaluated = d;
                        JsonNode t = d.path("test");
                        out.printf(Locale.ROOT, "evaluated  test accuracy %.2f%%  macro-F1 %.4f  loss %.4f on %d rows "
                                + "(best round %d)%n", 100 * t.path("accuracy").asDouble(), t.path("macroF1").asDouble(),
                                t.path("loss").asDouble(), t.path("samples").asInt(), d.path("bestRound").asInt());
                    }
                    case EventTypes.MODEL_REGISTERED -> {
                        out.printf("registered %s (%s)%n", d.path("reference").asText(), d.path("manifestDigest").asText());
                        return new Outcome("registered", null, evaluated, d, wall);
                    }
                    case EventTypes.MODEL_REJECTED -> {
                        out.printf("rejected   %s%n", d.path("reason").asText());
                        return new Outcome("rejected", d.path("reason").asText(), evaluated, null, wall);
                    }
                    case EventTypes.PIPELINE_FAILED -> {
                        out.printf("FAILED     in %s: %s%n", d.path("step").asText(), d.path("reason").asText());
                        return new Outcome("failed", d.path("reason").asText(), evaluated, null, wall);
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
}
