package dev.cnai.registry.impl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cnai.registry.ModelAnnotations;
import dev.cnai.registry.ModelPackConfig;
import dev.cnai.registry.ModelPush;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.ModelVersion;
import dev.cnai.registry.PulledModel;
import dev.cnai.registry.RegistryException;
import dev.cnai.registry.impl.ManifestCodec.Descriptor;
import dev.cnai.registry.impl.ManifestCodec.Manifest;
import dev.cnai.registry.impl.OciLayout.Tagged;
import dev.cnai.storage.Digests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The embedded registry: one OCI image layout per model under a root directory ({@code <root>/<name>/} holds
 * {@code oci-layout}, {@code index.json} and {@code blobs/sha256/}). Versions and aliases are tags in
 * {@code index.json} ({@code org.opencontainers.image.ref.name}).
 *
 * <p>Concurrency: writes to one model (push, tag) are serialised by a per-model lock that is JVM-wide and
 * backed by an OS file lock, so concurrent pushes of the same run yield exactly one version. Reads take no
 * lock: blobs are immutable and {@code index.json} is only ever replaced atomically.
 */
public final class OciLayoutRegistry implements ModelRegistry {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private static final String PRODUCTION = "production";

    private final Path root;

    /** A registry rooted at a directory; the directory is created on the first push. */
    public OciLayoutRegistry(Path root) {
        this.root = root.toAbsolutePath().normalize();
        if (Files.exists(this.root) && !Files.isDirectory(this.root)) {
            throw RegistryException.invalid("registry root " + this.root + " exists and is not a directory");
        }
    }

    /** The root directory. */
    public Path root() {
        return root;
    }

    @Override
    public ModelVersion push(ModelPush push) {
        validate(push);
        String name = push.name();
        return LayoutLocks.withLock(root, name, () -> {
            OciLayout layout = layout(name);
            List<Tagged> index = layout.readIndex();
            List<ModelVersion> existing = versions(layout, name, index);
            Optional<ModelVersion> same = existing.stream().filter(v -> push.runId().equals(v.runId())).findFirst();
            if (same.isPresent()) {
                return same.get();
            }
            int next = existing.stream().mapToInt(ModelVersion::number).max().orElse(0) + 1;
            String version = "v" + next;
            Optional<String> parent = aliasTarget(index, PRODUCTION).flatMap(d -> versionOf(index, d));

            layout.init();
            String modelDigest = layout.putBlob(push.onnx());
            byte[] config = ModelPackConfig.build(name, version, push.createdAt(), push.runId(), push.datasetDigest(),
                    modelDigest);
            String configDigest = layout.putBlob(config);
            Map<String, String> annotations = annotations(push, version, parent);
            byte[] manifest = ManifestCodec.encode(
                    new Descriptor(ModelPackConfig.CONFIG_MEDIA_TYPE, configDigest, config.length, Map.of()),
                    new Descriptor(ModelPackConfig.WEIGHT_MEDIA_TYPE, modelDigest, push.onnx().length,
                            Map.of(ModelAnnotations.MODEL_FILEPATH, ModelPackConfig.ONNX_FILEPATH,
                                    ModelAnnotations.OCI_TITLE, ModelPackConfig.ONNX_FILEPATH)),
                    annotations);
            String manifestDigest = layout.putBlob(manifest);

            List<Tagged> updated = new ArrayList<>(index);
            updated.add(new Tagged(version, manifestDigest, manifest.length, ModelPackConfig.ARTIFACT_TYPE));
            layout.writeIndex(sorted(updated));
            return new ModelVersion(name, version, manifestDigest, modelDigest, push.onnx().length, push.runId(),
                    annotations, List.of());
        });
    }

    @Override
    public void tag(String name, String version, String alias) {
        Refs.name(name);
        Refs.alias(alias);
        if (!Refs.isVersion(version)) {
            throw RegistryException.invalid("'" + version + "' is not a version; tag takes a version like v3");
        }
        if (!layout(name).exists()) {
            throw RegistryException.notFound(name, version, List.of());
        }
        LayoutLocks.withLock(root, name, () -> {
            OciLayout layout = layout(name);
            List<Tagged> index = layout.readIndex();
            Tagged target = index.stream().filter(t -> t.tag().equals(version)).findFirst()
                    .orElseThrow(() -> RegistryException.notFound(name, version, tags(index)));
            List<Tagged> updated = new ArrayList<>(index.stream().filter(t -> !t.tag().equals(alias)).toList());
            updated.add(new Tagged(alias, target.digest(), target.size(), target.artifactType()));
            layout.writeIndex(sorted(updated));
            return null;
        });
    }

    @Override
    public Optional<ModelVersion> resolve(String name, String ref) {
        Refs.name(name);
        Refs.ref(ref);
        OciLayout layout = layout(name);
        List<Tagged> index = layout.readIndex();
        return index.stream().filter(t -> t.tag().equals(ref)).findFirst()
                .map(t -> loadVersion(layout, name, index, t).version());
    }

    @Override
    public PulledModel pull(String name, String ref) {
        Refs.name(name);
        Refs.ref(ref);
        OciLayout layout = layout(name);
        List<Tagged> index = layout.readIndex();
        Tagged tagged = index.stream().filter(t -> t.tag().equals(ref)).findFirst()
                .orElseThrow(() -> RegistryException.notFound(name, ref, tags(index)));
        Loaded loaded = loadVersion(layout, name, index, tagged);
        String where = name + ":" + ref;
        Descriptor config = loaded.manifest().config();
        if (!ModelPackConfig.CONFIG_MEDIA_TYPE.equals(config.mediaType())) {
            throw RegistryException.tampered("config descriptor of " + where, ModelPackConfig.CONFIG_MEDIA_TYPE,
                    String.valueOf(config.mediaType()));
        }
        byte[] configJson = layout.readVerified("config blob of " + where, config.digest(), config.size());
        Descriptor weight = loaded.manifest().weightLayer("manifest of " + where);
        byte[] onnx = layout.readVerified("weight layer " + ModelPackConfig.ONNX_FILEPATH + " of " + where,
                weight.digest(), weight.size());
        return new PulledModel(loaded.version(), onnx, OciLayout.utf8(configJson));
    }

    @Override
    public List<ModelVersion> list(String name) {
        Refs.name(name);
        OciLayout layout = layout(name);
        return versions(layout, name, layout.readIndex());
    }

    @Override
    public Optional<ModelVersion> findByRun(String name, String runId) {
        return list(name).stream().filter(v -> v.runId() != null && v.runId().equals(runId)).findFirst();
    }

    @Override
    public String reference(String name, String ref) {
        return "oci-layout:" + root.resolve(Refs.name(name)) + ":" + Refs.ref(ref);
    }

    @Override
    public List<String> names() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> d.getFileName().toString().matches("[a-z0-9][a-z0-9._-]{0,127}"))
                    .filter(d -> new OciLayout(d).exists())
                    .map(d -> d.getFileName().toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw RegistryException.io("listing models in " + root, e);
        }
    }

    @Override
    public String toString() {
        return "oci-layout:" + root;
    }

    private OciLayout layout(String name) {
        return new OciLayout(root.resolve(name));
    }

    private record Loaded(ModelVersion version, Manifest manifest) {
    }

    /** Reads and verifies the manifest a tag points at and describes its version. */
    private Loaded loadVersion(OciLayout layout, String name, List<Tagged> index, Tagged tagged) {
        String where = name + ":" + tagged.tag();
        byte[] bytes = layout.readVerified("manifest of " + where, tagged.digest(), tagged.size());
        Manifest manifest = ManifestCodec.decode("manifest of " + where, bytes);
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

    private List<ModelVersion> versions(OciLayout layout, String name, List<Tagged> index) {
        return index.stream().filter(t -> Refs.isVersion(t.tag()))
                .sorted(Comparator.comparingInt(t -> Refs.number(t.tag())))
                .map(t -> loadVersion(layout, name, index, t).version())
                .toList();
    }

    private static Optional<String> aliasTarget(List<Tagged> index, String alias) {
        return index.stream().filter(t -> t.tag().equals(alias)).map(Tagged::digest).findFirst();
    }

    private static Optional<String> versionOf(List<Tagged> index, String digest) {
        return index.stream().filter(t -> Refs.isVersion(t.tag()) && t.digest().equals(digest))
                .map(Tagged::tag).findFirst();
    }

    /** Versions in numeric order, then aliases by name. */
    private static List<Tagged> sorted(List<Tagged> tags) {
        return tags.stream().sorted(Comparator
                        .comparing((Tagged t) -> Refs.isVersion(t.tag()) ? 0 : 1)
                        .thenComparingInt(t -> Refs.isVersion(t.tag()) ? Refs.number(t.tag()) : 0)
                        .thenComparing(Tagged::tag))
                .toList();
    }

    private static List<String> tags(List<Tagged> index) {
        return sorted(index).stream().map(Tagged::tag).toList();
    }

    private static Map<String, String> annotations(ModelPush push, String version, Optional<String> parent) {
        Map<String, String> a = new TreeMap<>();
        a.put(ModelAnnotations.RUN_ID, push.runId());
        a.put(ModelAnnotations.DATASET_DIGEST, push.datasetDigest());
        a.put(ModelAnnotations.HYPERPARAMETERS, compactJson(push.hyperParameters(), "hyper-parameters"));
        a.put(ModelAnnotations.METRICS, compactJson(push.metrics(), "metrics"));
        parent.ifPresent(p -> a.put(ModelAnnotations.PARENT_VERSION, p));
        a.put(ModelAnnotations.OCI_VERSION, version);
        a.put(ModelAnnotations.OCI_CREATED, push.createdAt());
        return a;
    }

    private static String compactJson(Object value, String what) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw RegistryException.invalid(what + " cannot be written as JSON: " + e.getOriginalMessage());
        }
    }

    private static void validate(ModelPush push) {
        if (push == null) {
            throw RegistryException.invalid("push is missing");
        }
        Refs.name(push.name());
        if (push.runId() == null || push.runId().isBlank()) {
            throw RegistryException.invalid("push of model " + push.name() + " has no run id");
        }
        if (push.onnx() == null || push.onnx().length == 0) {
            throw RegistryException.invalid("push of model " + push.name() + " (run " + push.runId()
                    + ") has no ONNX bytes");
        }
        if (!Digests.isSha256(push.datasetDigest())) {
            throw RegistryException.invalid("dataset digest '" + push.datasetDigest() + "' of run " + push.runId()
                    + " is not sha256:<64 hex>");
        }
        try {
            OffsetDateTime.parse(String.valueOf(push.createdAt()));
        } catch (DateTimeParseException e) {
            throw RegistryException.invalid("createdAt '" + push.createdAt() + "' of run " + push.runId()
                    + " is not an RFC 3339 date-time such as 2025-01-31T12:00:00Z");
        }
        push.metrics().forEach((k, v) -> {
            if (k == null || v == null || !Double.isFinite(v)) {
                throw RegistryException.invalid("metric '" + k + "' of run " + push.runId() + " is " + v
                        + "; metrics must be finite numbers");
            }
        });
        if (push.hyperParameters().keySet().stream().anyMatch(java.util.Objects::isNull)) {
            throw RegistryException.invalid("hyper-parameters of run " + push.runId() + " contain a null key");
        }
    }
}
