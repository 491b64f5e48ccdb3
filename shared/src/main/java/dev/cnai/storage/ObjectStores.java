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
