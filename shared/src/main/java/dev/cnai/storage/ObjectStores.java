package dev.cnai.storage;

import dev.cnai.storage.impl.FileObjectStore;
import dev.cnai.storage.impl.S3Location;
import dev.cnai.storage.impl.S3ObjectStore;
import java.net.URI;
import java.nio.file.Path;

/** Opens an {@link ObjectStore} for a root URI, by scheme. */
public final class ObjectStores {
    private ObjectStores() {
    }

    /**
     * Opens the store rooted at {@code root}: a {@code file:} URI or a plain (absolute or relative)
     * directory path, or {@code s3://bucket/prefix[?options]} (options and environment: docs/storage.md).
     */
    public static ObjectStore open(String root) {
        if (!root.contains(":")) {
            return new FileObjectStore(Path.of(root));
        }
        if (root.startsWith("s3://")) {
            return new S3ObjectStore(S3Location.parse(root, System::getenv));
        }
        URI uri = URI.create(root.endsWith("/") ? root : root + "/");
        if ("file".equals(uri.getScheme())) {
            return new FileObjectStore(Path.of(uri));
        }
        throw StorageException.unsupportedScheme(root);
    }

    /** Whether {@code uri} names an object in an object store ({@code s3://bucket/key}) rather than a local file. */
    public static boolean isObjectUri(String uri) {
        return uri != null && uri.startsWith("s3://");
    }

    /**
     * Streams the object at {@code s3://bucket/key[?options]} (the options and environment of a store root,
     * docs/storage.md) into {@code target}, which must not exist yet.
     *
     * @throws StorageException NOT_FOUND for a missing object, INVALID_INPUT for a URI that names no object, and as
     *                          the store's other errors (naming the URI, never a secret)
     */
    public static void download(String uri, Path target) {
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        int slash = path.lastIndexOf('/');
        if (!isObjectUri(uri) || path.indexOf('/', 5) <= 5 || slash == path.length() - 1) {
            throw StorageException.badConfig(uri, "expected the URI of one object, s3://bucket/key");
        }
        String root = path.substring(0, slash) + (q < 0 ? "" : uri.substring(q));
        try (S3ObjectStore store = new S3ObjectStore(S3Location.parse(root, System::getenv))) {
            store.download(path.substring(slash + 1), target);
        }
    }

    /**
     * Checks a root as {@link #open} would read it, without opening anything (no client, no directory created): for
     * a command line to refuse a bad {@code --store} before it starts processes.
     *
     * @throws StorageException INVALID_INPUT (or an unsupported scheme) with the reason
     */
    public static void check(String root) {
        if (root.startsWith("s3://")) {
            S3Location.parse(root, System::getenv);
        } else if (root.contains(":") && !"file".equals(URI.create(root.endsWith("/") ? root : root + "/").getScheme())) {
            throw StorageException.unsupportedScheme(root);
        }
    }
}
