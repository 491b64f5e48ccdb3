package dev.cnai.cli.models;

import dev.cnai.errors.CnaiException;
import dev.cnai.promotion.KnativeRollout;
import dev.cnai.promotion.PromotionException;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.function.Supplier;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.Registries;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code cnai models VERB [ARGS] [--registry LOCATION] [--model NAME]}: list, inspect, compare, promote, rollback
 * and delete model versions in any registry {@link Registries#open(String)} accepts (remote credentials from
 * {@code CNAI_REGISTRY_USERNAME}/{@code CNAI_REGISTRY_PASSWORD} or {@code CNAI_REGISTRY_AUTH_FILE}).
 * Exit status: 0 done, 1 refused (the reason on stderr), 2 usage.
 */
public final class ModelsCommand {
    static final String USAGE = """
            usage: cnai models VERB [ARGS] [--registry LOCATION] [--model NAME]
              list                      versions with aliases, metrics and lineage; rejected runs with the reason
              inspect REF               one version or alias: digests, lineage, hyper-parameters, metrics
              compare REF REF           two versions side by side: metrics (with deltas) and lineage
              promote VERSION           point an alias (--alias, default production) at VERSION
              rollback [VERSION]        move production back to the version it replaced, or to VERSION
              delete VERSION            delete a version; refused while an alias points at it
            options:
              --registry LOCATION       .cnai/registry (default), oci-layout:PATH, oci://host[:port]/ns, oci+http://…
              --model NAME              model name (default: the only model in the registry)
              --alias NAME              promote: the alias to move (default production)
              --knative NS/SERVICE      promote/rollback production: also roll the infer Knative Service
                                        (kube config from the environment; canary --steps, --pause)
              --steps P,P,…             promote --knative: canary percentages (default 10,50,100)
              --pause DURATION          promote --knative: soak per step, ISO-8601 (default PT30S)
            """;
    private static final Set<String> FLAGS = Set.of();

    private ModelsCommand() {
    }

    /** Runs a models command; returns the exit status. Knative access uses the kube config of the environment. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, () -> new KubernetesClientBuilder().build().adapt(KnativeClient.class));
    }

    /** Runs a models command with a given Knative client (tests pass a mock server's). */
    public static int run(String[] args, PrintStream out, PrintStream err, Supplier<KnativeClient> knative) {
        List<String> positional = new ArrayList<>();
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                String key = args[i].substring(2);
                if (FLAGS.contains(key)) {
                    options.put(key, "true");
                } else if (i + 1 < args.length) {
                    options.put(key, args[++i]);
                } else {
                    err.print("--" + key + " needs a value\n" + USAGE);
                    return 2;
                }
            } else {
                positional.add(args[i]);
            }
        }
        if (positional.isEmpty()) {
            err.print(USAGE);
            return 2;
        }
        String verb = positional.remove(0);
        Command command = switch (verb) {
            case "list" -> new ListCommand();
            case "inspect" -> new InspectCommand();
            case "compare" -> new CompareCommand();
            case "promote" -> new PromoteCommand();
            case "rollback" -> new RollbackCommand();
            case "delete" -> new DeleteCommand();
            default -> null;
        };
        if (command == null) {
            err.print("unknown verb '" + verb + "'\n" + USAGE);
            return 2;
        }
        if (positional.size() < command.minArgs() || positional.size() > command.maxArgs()) {
            err.print(verb + " takes " + command.usage() + "\n" + USAGE);
            return 2;
        }
        try {
            ModelRegistry registry = Registries.open(options.getOrDefault("registry", ".cnai/registry"));
            String name = options.containsKey("model") ? options.get("model") : onlyModel(registry);
            command.run(new Context(registry, name, positional, options, out, knative));
            return 0;
        } catch (CnaiException e) {
            err.println("cnai models " + verb + ": " + e.kind() + ": " + e.getMessage());
            return 1;
        }
    }

    private static String onlyModel(ModelRegistry registry) {
        List<String> names = registry.names();
        if (names.size() == 1) {
            return names.get(0);
        }
        throw new CnaiException(dev.cnai.errors.ErrorKind.INVALID_INPUT, names.isEmpty()
                ? "no models in " + registry + "; name one with --model or point --registry elsewhere"
                : "several models in " + registry + " (" + String.join(", ", names) + "); choose one with --model");
    }

    /** What a verb gets. */
    record Context(ModelRegistry registry, String name, List<String> args, Map<String, String> options,
            PrintStream out, Supplier<KnativeClient> knative) {

        /** The Knative rollout of {@code --knative NS/SERVICE}, if given. */
        java.util.Optional<KnativeRollout> rollout() {
            String target = options.get("knative");
            if (target == null) {
                return java.util.Optional.empty();
            }
            String[] ns = target.split("/", 2);
            if (ns.length != 2) {
                throw PromotionException.invalid("--knative takes NAMESPACE/SERVICE, got '" + target + "'");
            }
            List<Integer> steps = new ArrayList<>();
            for (String p : options.getOrDefault("steps", "10,50,100").split(",")) {
                try {
                    steps.add(Integer.parseInt(p.trim()));
                } catch (NumberFormatException e) {
                    throw PromotionException.invalid("--steps takes percentages like 10,50,100, got '"
                            + options.get("steps") + "'");
                }
            }
            Duration pause;
            try {
                pause = Duration.parse(options.getOrDefault("pause", "PT30S"));
            } catch (java.time.format.DateTimeParseException e) {
                throw PromotionException.invalid("--pause takes an ISO-8601 duration like PT30S");
            }
            return java.util.Optional.of(new KnativeRollout(knative.get(), new KnativeRollout.Settings(ns[0], ns[1],
                    steps, pause, Duration.ofMinutes(5)), (d, split) -> {
                        out.println("  " + split + " (holding " + d + ")");
                        Thread.sleep(d.toMillis());
                    }));
        }
    }

    /** One verb. */
    interface Command {
        void run(Context c);

        int minArgs();

        int maxArgs();

        String usage();
    }
}
