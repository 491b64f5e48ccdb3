package dev.cnai.cli.models;

import dev.cnai.promotion.KnativeRollout;
import dev.cnai.promotion.PromotionException;
import io.fabric8.knative.client.KnativeClient;
import java.io.PrintStream;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/**
 * {@code --knative NS/SERVICE} with its canary {@code --steps} and {@code --pause}, for promote and rollback. The
 * values are checked when the rollout starts, as the registry is: a bad one is a refusal (exit status 1).
 */
final class RolloutOptions {
    @Option(names = "--knative", paramLabel = "NS/SERVICE", description = "production: also roll the infer Knative "
            + "Service (kube config from the environment; canary --steps, --pause)")
    String knative;

    @Option(names = "--steps", paramLabel = "P,P,…", description = "promote --knative: canary percentages (default "
            + "10,50,100)")
    String steps;

    @Option(names = "--pause", paramLabel = "DURATION", description = "promote --knative: soak per step, ISO-8601 "
            + "(default PT30S)")
    String pause;

    /** The Knative rollout of {@code --knative NS/SERVICE}, if given; it prints each hold to {@code out}. */
    Optional<KnativeRollout> rollout(Supplier<KnativeClient> client, PrintStream out) {
        if (knative == null) {
            return Optional.empty();
        }
        String[] ns = knative.split("/", 2);
        if (ns.length != 2) {
            throw PromotionException.invalid("--knative takes NAMESPACE/SERVICE, got '" + knative + "'");
        }
        List<Integer> percents = new ArrayList<>();
        for (String p : (steps == null ? "10,50,100" : steps).split(",")) {
            try {
                percents.add(Integer.parseInt(p.trim()));
            } catch (NumberFormatException e) {
                throw PromotionException.invalid("--steps takes percentages like 10,50,100, got '" + steps + "'");
            }
        }
        Duration hold;
        try {
            hold = Duration.parse(pause == null ? "PT30S" : pause);
        } catch (DateTimeParseException e) {
            throw PromotionException.invalid("--pause takes an ISO-8601 duration like PT30S");
        }
        return Optional.of(new KnativeRollout(client.get(), new KnativeRollout.Settings(ns[0], ns[1], percents, hold,
                Duration.ofMinutes(5)), (d, split) -> {
                    out.println("  " + split + " (holding " + d + ")");
                    Thread.sleep(d.toMillis());
                }));
    }
}
