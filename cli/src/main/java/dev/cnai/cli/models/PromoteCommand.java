package dev.cnai.cli.models;

import dev.cnai.promotion.KnativeRollout;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.ModelVersion;
import dev.cnai.registry.RegistryException;

/**
 * {@code cnai models promote VERSION [--alias A] [--knative NS/SERVICE]}: points an alias at a version; for
 * {@code production} with {@code --knative}, first rolls infer through the canary steps.
 */
final class PromoteCommand implements ModelsCommand.Command {
    @Override
    public void run(ModelsCommand.Context c) {
        String version = c.args().get(0);
        String alias = c.options().getOrDefault("alias", ModelRegistry.PRODUCTION);
        ModelVersion v = Views.resolve(c, version);
        if (!v.version().equals(version)) {
            throw RegistryException.invalid("promote takes a version like v3, not the alias '" + version + "' ("
                    + v.version() + ")");
        }
        if (ModelRegistry.PRODUCTION.equals(alias)) {
            c.rollout().ifPresent(r -> {
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

    @Override
    public int minArgs() {
        return 1;
    }

    @Override
    public int maxArgs() {
        return 1;
    }

    @Override
    public String usage() {
        return "one version";
    }
}
