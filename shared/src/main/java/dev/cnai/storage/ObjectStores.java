package dev.cnai.storage;

import dev.cnai.storage.impl.FileObjectStore;
import java.net.URI;
import java.nio.file.Path;

/** Opens an {@link ObjectStore} for a root URI, by scheme. */
public final class ObjectStores {
    private ObjectStores() {
    }

    public static ObjectStore open(String rootUri) {
        URI uri = URI.create(rootUri.endsWith("/") ? rootUri : rootUri + "/");
        String scheme = uri.getScheme();
        if ("file".equals(scheme)) {
            return new FileObjectStore(Path.of(uri));
        }
        throw StorageException.unsupportedScheme(rootUri);
    }

    /** Opens the store that holds an absolute object URI and returns the key within it. */
    public static ObjectStore forRoot(Path root) {
        return new FileObjectStore(root);
    }
}
