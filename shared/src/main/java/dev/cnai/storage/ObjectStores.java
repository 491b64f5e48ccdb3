package dev.cnai.storage;

import dev.cnai.storage.impl.FileObjectStore;
import java.net.URI;
import java.nio.file.Path;

/** Opens an {@link ObjectStore} for a root URI, by scheme. */
public final class ObjectStores {
    private ObjectStores() {
    }

    /**
     * Opens the store rooted at {@code root}: a {@code file:} URI or a plain (absolute or relative)
     * directory path.
     */
    public static ObjectStore open(String root) {
        if (!root.contains(":")) {
            return new FileObjectStore(Path.of(root));
        }
        URI uri = URI.create(root.endsWith("/") ? root : root + "/");
        if ("file".equals(uri.getScheme())) {
            return new FileObjectStore(Path.of(uri));
        }
        throw StorageException.unsupportedScheme(root);
    }

}
