package dev.cnai.registry.impl;

import dev.cnai.registry.ModelCopy;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.RegistryException;
import dev.cnai.registry.RegistryMirror;
import dev.cnai.registry.impl.ManifestCodec.Descriptor;
import dev.cnai.registry.impl.ManifestCodec.Manifest;
import dev.cnai.registry.impl.OciLayout.Tagged;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@link RegistryMirror} for the OCI backends: one model's repository is copied tag by tag through the storage
 * operations of {@link OciModelRegistry} (verified manifest and blob reads, blob and manifest writes), under the
 * target's write lock for that model. Plan first (divergent versions refuse everything), then every missing blob,
 * then the manifests and tags, versions before the aliases that point at them.
 */
public final class OciMirror {
    private OciMirror() {
    }

    /** See {@link RegistryMirror#copy}. */
    public static ModelCopy copy(ModelRegistry from, ModelRegistry to, String name) {
        Refs.name(name);
        OciModelRegistry source = oci(from, "source");
        OciModelRegistry target = oci(to, "target");
        List<Tagged> tags = OciModelRegistry.sorted(source.tags(name));
        if (tags.isEmpty()) {
            throw RegistryException.noSuchModel(name, String.valueOf(from));
        }
        return target.locked(name, () -> new OciMirror.Run(source, target, name, tags).copy());
    }

    private static OciModelRegistry oci(ModelRegistry registry, String side) {
        if (registry instanceof OciModelRegistry oci) {
            return oci;
        }
        throw RegistryException.invalid("cannot copy with " + side + " registry " + registry + ": copying needs an"
                + " OCI registry as Registries.open returns (image layout or distribution registry)");
    }

    /** A verified manifest whose blobs are on the target, to be tagged there. */
    private record Pending(String tag, byte[] manifest, String artifactType) {
    }

    /** One model's copy. */
    private static final class Run {
        private final OciModelRegistry source;
        private final OciModelRegistry target;
        private final String name;
        private final List<Tagged> tags;
        private final Set<String> blobsDone = new HashSet<>();
        private int blobsCopied;
        private int blobsSkipped;
        private long bytes;

        Run(OciModelRegistry source, OciModelRegistry target, String name, List<Tagged> tags) {
            this.source = source;
            this.target = target;
            this.name = name;
            this.tags = tags;
        }

        ModelCopy copy() {
            Map<String, Tagged> existing = target.tags(name).stream()
                    .collect(Collectors.toMap(Tagged::tag, t -> t, (a, b) -> a));
            List<Tagged> toWrite = new ArrayList<>();
            List<String> conflicts = new ArrayList<>();
            List<String> moved = new ArrayList<>();
            int present = 0;
            for (Tagged t : tags) {
                Tagged there = existing.get(t.tag());
                if (there == null) {
                    toWrite.add(t);
                } else if (there.digest().equals(t.digest())) {
                    present++;
                } else if (Refs.isVersion(t.tag())) {
                    conflicts.add(t.tag() + " is " + t.digest() + " on the source but " + there.digest()
                            + " on the target");
                } else {
                    toWrite.add(t);
                    moved.add(t.tag() + " (" + shown(existing.values().stream(), there.digest()) + " -> "
                            + shown(tags.stream(), t.digest()) + ")");
                }
            }
            if (!conflicts.isEmpty()) {
                throw RegistryException.conflict("cannot copy model " + name + " from " + source + " to " + target
                        + ": version " + String.join("; version ", conflicts) + ". Versions are immutable, so "
                        + "nothing was copied for " + name + " (delete the diverged version on the target, or copy "
                        + "to another registry)");
            }
            List<Pending> manifests = toWrite.stream().map(this::blobsOf).toList(); // all blobs before any tag
            for (Pending p : manifests) {
                target.putManifest(name, p.tag(), p.manifest(), p.artifactType());
                bytes += p.manifest().length;
            }
            return new ModelCopy(name, toWrite.size(), present, moved, blobsCopied, blobsSkipped, bytes, null);
        }

        /** Reads a tag's manifest and copies the blobs it references that the target lacks. */
        private Pending blobsOf(Tagged t) {
            String where = name + ":" + t.tag() + " in " + source;
            byte[] manifest = source.manifest(name, "manifest of " + where, t.digest(), t.size());
            Manifest m = ManifestCodec.decode("manifest of " + where, manifest);
            for (Descriptor d : Stream.concat(Stream.of(m.config()), m.layers().stream()).toList()) {
                if (!blobsDone.add(d.digest())) {
                    continue;
                }
                if (target.hasBlob(name, d.digest())) {
                    blobsSkipped++;
                    continue;
                }
                byte[] data = source.blob(name, "blob " + d.digest() + " (" + d.mediaType() + ") of " + where,
                        d.digest(), d.size());
                target.putBlob(name, data);
                blobsCopied++;
                bytes += data.length;
            }
            return new Pending(t.tag(), manifest, t.artifactType() != null ? t.artifactType() : m.artifactType());
        }

        /** A digest as the version tag pointing at it when there is one, else the short digest. */
        private static String shown(Stream<Tagged> index, String digest) {
            return index.filter(x -> Refs.isVersion(x.tag()) && x.digest().equals(digest)).map(Tagged::tag)
                    .findFirst().orElse(digest.length() > 19 ? digest.substring(0, 19) + "…" : digest);
        }
    }
}
