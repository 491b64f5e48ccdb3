package dev.cnai.registry.impl;

import dev.cnai.registry.ModelAnnotations;
import dev.cnai.registry.ModelPackConfig;
import dev.cnai.registry.ModelPush;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.ModelRejection;
import dev.cnai.registry.ModelVersion;
import dev.cnai.registry.PulledModel;
import dev.cnai.registry.RegistryException;
import dev.cnai.registry.impl.ManifestCodec.Descriptor;
import dev.cnai.registry.impl.ManifestCodec.Manifest;
import dev.cnai.registry.impl.OciLayout.Tagged;
import dev.cnai.storage.Digests;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The model-registry logic shared by every OCI backend: versions {@code v<N>}, aliases and rejection records are
 * tags of one repository per model; lineage is in manifest annotations. Subclasses provide the storage of one
 * repository (tags, verified manifest and blob reads, blob and manifest writes, deletion) and a write lock.
 */
abstract class OciModelRegistry implements ModelRegistry {
    static final String EMPTY_MEDIA_TYPE = "application/vnd.oci.empty.v1+json";
    private static final byte[] EMPTY = "{}".getBytes(StandardCharsets.UTF_8);

    /** All tags of a model's repository with the manifest each points at; empty for an unknown model. */
    abstract List<Tagged> tags(String name);

    /** Manifest bytes, verified against {@code digest} (and {@code size} when not negative). */
    abstract byte[] manifest(String name, String what, String digest, long size);

    /** Blob bytes, verified against {@code digest} and {@code size}. */
    abstract byte[] blob(String name, String what, String digest, long size);

    /** Whether the repository holds a blob with this digest (and, where it can be read cheaply, this content). */
    abstract boolean hasBlob(String name, String digest);

    /** Stores a blob (no-op when present) and returns its digest. */
    abstract String putBlob(String name, byte[] data);

    /** Stores a manifest whose blobs are stored, and points {@code tag} at it (moving the tag if it exists). */
    abstract void putManifest(String name, String tag, byte[] manifest, String artifactType);

    /** Removes a version tag and its manifest; aliases are known not to point at it. */
    abstract void removeVersion(String name, Tagged version);

    /** Runs a write of one model under this backend's lock. */
    abstract <T> T locked(String name, Supplier<T> action);

    /** The backend's location prefix for references, e.g. {@code oci-layout:/root}. */
    abstract String location(String name);

    @Override
    public ModelVersion push(ModelPush push) {
        Lineage.validate(push);
        String name = push.name();
        return locked(name, () -> {
            List<Tagged> index = tags(name);
            List<ModelVersion> existing = versions(name, index);
            Optional<ModelVersion> same = existing.stream().filter(v -> push.runId().equals(v.runId())).findFirst();
            if (same.isPresent()) {
                return same.get();
            }
            int next = existing.stream().mapToInt(ModelVersion::number).max().orElse(0) + 1;
            String version = "v" + next;
            Optional<String> parent = target(index, ModelRegistry.PRODUCTION).flatMap(d -> versionOf(index, d));

            String modelDigest = putBlob(name, push.onnx());
            byte[] config = ModelPackConfig.build(name, version, push.createdAt(), push.runId(), push.datasetDigest(),
                    modelDigest);
            String configDigest = putBlob(name, config);
            Map<String, String> annotations = Lineage.annotations(push, version, parent);
            byte[] manifest = ManifestCodec.encode(ModelPackConfig.ARTIFACT_TYPE,
                    new Descriptor(ModelPackConfig.CONFIG_MEDIA_TYPE, configDigest, config.length, Map.of()),
                    new Descriptor(ModelPackConfig.WEIGHT_MEDIA_TYPE, modelDigest, push.onnx().length,
                            Map.of(ModelAnnotations.MODEL_FILEPATH, ModelPackConfig.ONNX_FILEPATH,
                                    ModelAnnotations.OCI_TITLE, ModelPackConfig.ONNX_FILEPATH)),
                    annotations);
            putManifest(name, version, manifest, ModelPackConfig.ARTIFACT_TYPE);
            return new ModelVersion(name, version, Digests.sha256(manifest), modelDigest, push.onnx().length,
                    push.runId(), annotations, List.of());
        });
    }

    @Override
    public void tag(String name, String version, String alias) {
        Refs.name(name);
        Refs.alias(alias);
        Refs.version(version, "tag");
        locked(name, () -> {
            List<Tagged> index = tags(name);
            Tagged target = tagged(index, name, version);
            byte[] manifest = manifest(name, "manifest of " + name + ":" + version, target.digest(), target.size());
            putManifest(name, alias, manifest, ModelPackConfig.ARTIFACT_TYPE);
            return null;
        });
    }

    @Override
    public Optional<ModelVersion> resolve(String name, String ref) {
        Refs.name(name);
        Refs.ref(ref);
        List<Tagged> index = tags(name);
        return find(index, ref).map(t -> load(name, index, t).version());
    }

    @Override
    public PulledModel pull(String name, String ref) {
        Refs.name(name);
        Refs.ref(ref);
        List<Tagged> index = tags(name);
        Tagged tagged = tagged(index, name, ref);
        Loaded loaded = load(name, index, tagged);
        String where = name + ":" + ref;
        Descriptor config = loaded.manifest().config();
        if (!ModelPackConfig.CONFIG_MEDIA_TYPE.equals(config.mediaType())) {
            throw RegistryException.tampered("config descriptor of " + where, ModelPackConfig.CONFIG_MEDIA_TYPE,
                    String.valueOf(config.mediaType()));
        }
        byte[] configJson = blob(name, "config blob of " + where, config.digest(), config.size());
        Descriptor weight = loaded.manifest().weightLayer("manifest of " + where);
        byte[] onnx = blob(name, "weight layer " + ModelPackConfig.ONNX_FILEPATH + " of " + where, weight.digest(),
                weight.size());
        return new PulledModel(loaded.version(), onnx, new String(configJson, StandardCharsets.UTF_8));
    }

    @Override
    public List<ModelVersion> list(String name) {
        Refs.name(name);
        return versions(name, tags(name));
    }

    @Override
    public Optional<ModelVersion> findByRun(String name, String runId) {
        return list(name).stream().filter(v -> v.runId() != null && v.runId().equals(runId)).findFirst();
    }

    @Override
    public void delete(String name, String version) {
        Refs.name(name);
        Refs.version(version, "delete");
        locked(name, () -> {
            List<Tagged> index = tags(name);
            Tagged target = tagged(index, name, version);
            List<String> aliases = index.stream()
                    .filter(t -> !Refs.isVersion(t.tag()) && t.digest().equals(target.digest()))
                    .map(Tagged::tag).sorted().toList();
            if (!aliases.isEmpty()) {
                throw RegistryException.conflict("cannot delete " + name + ":" + version + ": alias"
                        + (aliases.size() > 1 ? "es " : " ") + String.join(", ", aliases) + " point"
                        + (aliases.size() > 1 ? "" : "s") + " at it; move " + (aliases.size() > 1 ? "them" : "it")
                        + " first (e.g. cnai models rollback / promote)");
            }
            removeVersion(name, target);
            return null;
        });
    }

    @Override
    public void recordRejection(ModelRejection r) {
        if (r == null || r.runId() == null || r.runId().isBlank() || r.reason() == null) {
            throw RegistryException.invalid("a rejection record needs a run id and a reason");
        }
        Refs.name(r.name());
        Map<String, String> annotations = new TreeMap<>();
        annotations.put(ModelAnnotations.RUN_ID, r.runId());
        annotations.put(ModelAnnotations.REJECTION_REASON, r.reason());
        if (r.datasetDigest() != null) {
            annotations.put(ModelAnnotations.DATASET_DIGEST, r.datasetDigest());
        }
        annotations.put(ModelAnnotations.METRICS, Lineage.compactJson(r.metrics(), "metrics"));
        if (r.createdAt() != null) {
            annotations.put(ModelAnnotations.OCI_CREATED, r.createdAt());
        }
        locked(r.name(), () -> {
            String emptyDigest = putBlob(r.name(), EMPTY);
            Descriptor empty = new Descriptor(EMPTY_MEDIA_TYPE, emptyDigest, EMPTY.length, Map.of());
            byte[] manifest = ManifestCodec.encode(ModelPackConfig.REJECTION_ARTIFACT_TYPE, empty, empty, annotations);
            putManifest(r.name(), Refs.rejectionTag(r.runId()), manifest, ModelPackConfig.REJECTION_ARTIFACT_TYPE);
            return null;
        });
    }

    @Override
    public List<ModelRejection> rejections(String name) {
        Refs.name(name);
        return tags(name).stream().filter(t -> Refs.isRejection(t.tag()))
                .map(t -> {
                    String where = "rejection record " + name + ":" + t.tag();
                    Manifest m = ManifestCodec.decode(where, manifest(name, where, t.digest(), t.size()));
                    Map<String, String> a = m.annotations();
                    return new ModelRejection(name, a.get(ModelAnnotations.RUN_ID),
                            a.get(ModelAnnotations.REJECTION_REASON), a.get(ModelAnnotations.DATASET_DIGEST),
                            Lineage.metrics(a.get(ModelAnnotations.METRICS)), a.get(ModelAnnotations.OCI_CREATED));
                })
                .sorted(Comparator.comparing((ModelRejection r) -> String.valueOf(r.createdAt()))
                        .thenComparing(ModelRejection::runId))
                .toList();
    }

    @Override
    public String reference(String name, String ref) {
        return location(Refs.name(name)) + ":" + Refs.ref(ref);
    }

    private record Loaded(ModelVersion version, Manifest manifest) {
    }

    /** Reads and verifies the manifest a tag points at and describes its version. */
    private Loaded load(String name, List<Tagged> index, Tagged tagged) {
        String where = name + ":" + tagged.tag();
        Manifest manifest = ManifestCodec.decode("manifest of " + where,
                manifest(name, "manifest of " + where, tagged.digest(), tagged.size()));
        if (!ModelPackConfig.ARTIFACT_TYPE.equals(manifest.artifactType())) {
            throw RegistryException.tampered("artifactType of " + where, ModelPackConfig.ARTIFACT_TYPE,
                    String.valueOf(manifest.artifactType()));
        }
        Descriptor weight = manifest.weightLayer("manifest of " + where);
        String version = versionOf(index, tagged.digest())
                .orElseGet(() -> manifest.annotations().getOrDefault(ModelAnnotations.OCI_VERSION, tagged.tag()));
        List<String> aliases = index.stream()
                .filter(t -> !Refs.isVersion(t.tag()) && t.digest().equals(tagged.digest()))
                .map(Tagged::tag).sorted().toList();
        return new Loaded(new ModelVersion(name, version, tagged.digest(), weight.digest(), weight.size(),
                manifest.annotations().get(ModelAnnotations.RUN_ID), manifest.annotations(), aliases), manifest);
    }

    private List<ModelVersion> versions(String name, List<Tagged> index) {
        return index.stream().filter(t -> Refs.isVersion(t.tag()))
                .sorted(Comparator.comparingInt(t -> Refs.number(t.tag())))
                .map(t -> load(name, index, t).version())
                .toList();
    }

    /** The tag {@code ref} if it is a version or alias (rejection records are not refs). */
    private static Optional<Tagged> find(List<Tagged> index, String ref) {
        return Refs.isRejection(ref) ? Optional.empty()
                : index.stream().filter(t -> t.tag().equals(ref)).findFirst();
    }

    /** The tag {@code ref} of model {@code name}, or not found (listing the refs there are). */
    private static Tagged tagged(List<Tagged> index, String name, String ref) {
        return find(index, ref).orElseThrow(() -> RegistryException.notFound(name, ref, refs(index)));
    }

    private static Optional<String> target(List<Tagged> index, String alias) {
        return index.stream().filter(t -> t.tag().equals(alias)).map(Tagged::digest).findFirst();
    }

    private static Optional<String> versionOf(List<Tagged> index, String digest) {
        return index.stream().filter(t -> Refs.isVersion(t.tag()) && t.digest().equals(digest))
                .map(Tagged::tag).findFirst();
    }

    /** Versions in numeric order, then aliases by name, then rejection records. */
    static List<Tagged> sorted(List<Tagged> tags) {
        return tags.stream().sorted(Comparator
                        .comparing((Tagged t) -> Refs.isVersion(t.tag()) ? 0 : Refs.isRejection(t.tag()) ? 2 : 1)
                        .thenComparingInt(t -> Refs.isVersion(t.tag()) ? Refs.number(t.tag()) : 0)
                        .thenComparing(Tagged::tag))
                .toList();
    }

    private static List<String> refs(List<Tagged> index) {
        return sorted(index).stream().map(Tagged::tag).filter(t -> !Refs.isRejection(t)).toList();
    }
}
