package dev.cnai.cli.models;

import dev.cnai.promotion.KnativeRollout;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.ModelVersion;
import dev.cnai.registry.RegistryException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cnai models promote VERSION [--alias A] [--knative NS/SERVICE]}: points an alias at a version; for
 * {@code production} with {@code --knative}, first rolls infer through the canary steps.
 */
@Command(name = "promote", usageHelpAutoWidth = false,
        description = "Point an alias (--alias, default production) at VERSION; for production with --knative, "
                + "first roll infer through the canary steps.")
final class PromoteCommand extends ModelsCommand.Verb {
    @Parameters(paramLabel = "VERSION", description = "the version to promote, such as v3")
    String version;

    @Option(names = "--alias", paramLabel = "NAME", defaultValue = ModelRegistry.PRODUCTION,
            description = "the alias to move (default ${DEFAULT-VALUE})")
    String alias;

    @Mixin
    RolloutOptions rollout;

    @Override
    void run(ModelsCommand.Context c) {
        ModelVersion v = Views.resolve(c, version);
        if (!v.version().equals(version)) {
            throw RegistryException.invalid("promote takes a version like v3, not the alias '" + version + "' ("
                    + v.version() + ")");
        }
        if (ModelRegistry.PRODUCTION.equals(alias)) {
            rollout.rollout(knative(), c.out()).ifPresent(r -> {
                c.out().println("rolling " + r.settings().namespace() + "/" + r.settings().service() + " to "
                        + r.revisionName(version) + " through " + r.settings().steps() + "%");
                for (KnativeRollout.Split s : r.promote(version, c.registry().reference(c.name(), version),
                        v.modelDigest())) {
                    c.out().println("  traffic: " + s);
                }
            });
        }
        c.registry().tag(c.name(), version, alias);
        c.out().println(alias + " -> " + c.registry().reference(c.name(), version) + " (" + v.manifestDigest() + ")");
    }
}
