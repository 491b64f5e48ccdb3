package dev.cnai.cli.models;

import dev.cnai.registry.ModelAnnotations;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.ModelRejection;
import dev.cnai.registry.ModelVersion;
import dev.cnai.registry.RegistryException;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code cnai models rollback [VERSION] [--knative NS/SERVICE]}: moves {@code production} back to the version
 * the current one replaced (its recorded parent; else the newest earlier version that was not rejected), or to
 * VERSION; with {@code --knative} also sends all of infer's traffic back to that version's revision.
 */
@Command(name = "rollback", usageHelpAutoWidth = false,
        description = "Move production back to the version it replaced, or to VERSION; with --knative also send "
                + "all of infer's traffic back to that version's revision.")
final class RollbackCommand extends ModelsCommand.Verb {
    @Parameters(paramLabel = "VERSION", arity = "0..1",
            description = "the version to roll back to (default: the one production replaced)")
    String version;

    @Mixin
    RolloutOptions rollout;

    @Override
    void run(ModelsCommand.Context c) {
        ModelVersion current = c.registry().resolve(c.name(), ModelRegistry.PRODUCTION).orElseThrow(() ->
                RegistryException.conflict("model " + c.name() + " has no production version to roll back"));
        ModelVersion target = version == null ? previous(c, current) : Views.resolve(c, version);
        if (target.version().equals(current.version())) {
            throw RegistryException.conflict("production already is " + current.version());
        }
        rollout.rollout(knative(), c.out()).ifPresent(r -> c.out().println("traffic: " + r.rollback(target.version())));
        c.registry().tag(c.name(), target.version(), ModelRegistry.PRODUCTION);
        c.out().println("production: " + current.version() + " -> " + target.version() + " ("
                + c.registry().reference(c.name(), target.version()) + ")");
    }

    private static ModelVersion previous(ModelsCommand.Context c, ModelVersion current) {
        List<ModelVersion> versions = c.registry().list(c.name());
        String parent = current.annotations().get(ModelAnnotations.PARENT_VERSION);
        if (parent != null) {
            for (ModelVersion v : versions) {
                if (v.version().equals(parent)) {
                    return v;
                }
            }
        }
        Set<String> rejected = c.registry().rejections(c.name()).stream().map(ModelRejection::runId)
                .collect(Collectors.toSet());
        return versions.stream().filter(v -> v.number() < current.number() && !rejected.contains(v.runId()))
                .max(Comparator.comparingInt(ModelVersion::number))
                .orElseThrow(() -> RegistryException.conflict("production " + current.version() + " of " + c.name()
                        + " has no earlier accepted version to roll back to"));
    }
}
