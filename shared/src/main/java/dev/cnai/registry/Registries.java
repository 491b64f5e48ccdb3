package dev.cnai.registry;

import dev.cnai.registry.impl.OciLayoutRegistry;
import java.net.URI;
import java.nio.file.Path;

/** Opens a {@link ModelRegistry} for a location string. */
public final class Registries {
    private Registries() {
    }

    private static final String OCI_LAYOUT = "oci-layout:";
    private static final String SUPPORTED =
            "supported: a filesystem path, oci-layout:<path> or file:<uri> (an OCI image layout per model under it)";

    /**
     * Opens a registry. A filesystem path, {@code oci-layout:<path>} or a {@code file:} URI opens the embedded
     * OCI image-layout registry rooted there ({@code <root>/<name>/} is one layout per model; created on first
     * push). Any other scheme is rejected with {@link RegistryException#invalid}.
     */
    public static ModelRegistry open(String location) {
        if (location == null || location.isBlank()) {
            throw RegistryException.invalid("registry location is empty; " + SUPPORTED);
        }
        try {
            if (location.startsWith(OCI_LAYOUT)) {
                String path = location.substring(OCI_LAYOUT.length());
                if (path.isBlank()) {
                    throw RegistryException.invalid("registry location '" + location + "' has no path; " + SUPPORTED);
                }
                return new OciLayoutRegistry(Path.of(path));
            }
            if (location.startsWith("file:")) {
                return new OciLayoutRegistry(Path.of(URI.create(location)));
            }
            if (location.matches("^[a-zA-Z][a-zA-Z0-9+.-]+:.*")) {
                throw RegistryException.invalid("unsupported registry location '" + location + "'; " + SUPPORTED
                        + "; remote OCI registries are not supported yet");
            }
            return new OciLayoutRegistry(Path.of(location));
        } catch (IllegalArgumentException e) {
            throw RegistryException.invalid("invalid registry location '" + location + "': " + e.getMessage()
                    + "; " + SUPPORTED);
        }
    }
}
