package dev.cnai.registry.impl;

import dev.cnai.registry.RegistryException;
import dev.cnai.registry.impl.OciLayout.Tagged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The embedded registry: one OCI image layout per model under a root directory ({@code <root>/<name>/} holds
 * {@code oci-layout}, {@code index.json} and {@code blobs/sha256/}). Versions, aliases and rejection records
 * are tags in {@code index.json} ({@code org.opencontainers.image.ref.name}).
 *
 * <p>Concurrency: writes to one model (push, tag, delete) are serialised by a per-model lock that is JVM-wide
 * and backed by an OS file lock, so concurrent pushes of the same run yield exactly one version. Reads take no
 * lock: blobs are immutable and {@code index.json} is only ever replaced atomically. Deleting a version removes
 * its tag; its blobs stay (they are small and may be shared).
 */
public final class OciLayoutRegistry extends OciModelRegistry {
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
    List<Tagged> tags(String name) {
        return layout(name).readIndex();
    }

    @Override
    byte[] manifest(String name, String what, String digest, long size) {
        return layout(name).readVerified(what, digest, size);
    }

    @Override
    byte[] blob(String name, String what, String digest, long size) {
        return layout(name).readVerified(what, digest, size);
    }

    @Override
    boolean hasBlob(String name, String digest) {
        return layout(name).hasBlob(digest);
    }

    @Override
    String putBlob(String name, byte[] data) {
        OciLayout layout = layout(name);
        layout.init();
        return layout.putBlob(data);
    }

    @Override
    void putManifest(String name, String tag, byte[] manifest, String artifactType) {
        OciLayout layout = layout(name);
        layout.init();
        String digest = layout.putBlob(manifest);
        List<Tagged> updated = new ArrayList<>(layout.readIndex().stream().filter(t -> !t.tag().equals(tag)).toList());
        updated.add(new Tagged(tag, digest, manifest.length, artifactType));
        layout.writeIndex(sorted(updated));
    }

    @Override
    void removeVersion(String name, Tagged version) {
        OciLayout layout = layout(name);
        layout.writeIndex(sorted(layout.readIndex().stream().filter(t -> !t.tag().equals(version.tag())).toList()));
    }

    @Override
    <T> T locked(String name, Supplier<T> action) {
        return LayoutLocks.withLock(root, name, action);
    }

    @Override
    String location(String name) {
        return "oci-layout:" + root.resolve(name);
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
}
