package dev.cnai.pipeline;

import dev.cnai.data.DatasetException;
import dev.cnai.errors.ErrorKind;
import dev.cnai.events.DatasetSpec;
import dev.cnai.storage.ObjectStores;
import dev.cnai.storage.StorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A dataset spec whose files are local: an {@code s3://bucket/key} {@code uri} (and {@code labelsUri}) is streamed into
 * a temporary directory first, so that preprocess on a cluster reads its input from the object store, as every
 * other step reads its own; a local path or {@code file://} URI is used as it is. Closing deletes the copies. The
 * run plan keeps the spec as requested, so the lineage names the object, not the copy.
 */
final class StagedDataset implements AutoCloseable {
    private final DatasetSpec local;
    private final Path dir;

    private StagedDataset(DatasetSpec local, Path dir) {
        this.local = local;
        this.dir = dir;
    }

    static StagedDataset of(DatasetSpec spec) {
        if (!ObjectStores.isObjectUri(spec.uri()) && !ObjectStores.isObjectUri(spec.labelsUri())) {
            return new StagedDataset(spec, null);
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("cnai-dataset-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the dataset download", e);
        }
        StagedDataset staged = null;
        try {
            staged = new StagedDataset(new DatasetSpec(spec.format(), fetch(spec.uri(), dir, "data"),
                    fetch(spec.labelsUri(), dir, "labels"), spec.limit(), spec.shards(), spec.split(), spec.seed()), dir);
            return staged;
        } finally {
            if (staged == null) {
                delete(dir);
            }
        }
    }

    DatasetSpec spec() {
        return local;
    }

    @Override
    public void close() {
        if (dir != null) {
            delete(dir);
        }
    }

    private static String fetch(String uri, Path dir, String role) {
        if (!ObjectStores.isObjectUri(uri)) {
            return uri;
        }
        String name = uri.replaceAll("\\?.*$", "").replaceAll("^.*/", "");
        Path target = dir.resolve(role + "-" + name);
        try {
            ObjectStores.download(uri, target);
        } catch (StorageException e) {
            if (e.kind() == ErrorKind.NOT_FOUND) {
                throw DatasetException.notFound("dataset object " + uri.replaceAll("\\?.*$", ""));
            }
            throw e;
        }
        return target.toString();
    }

    private static void delete(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory; the OS cleans it up eventually
        }
    }
}
