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

}
