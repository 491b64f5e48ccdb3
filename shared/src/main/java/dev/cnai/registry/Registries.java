package dev.cnai.registry;

import dev.cnai.registry.impl.OciDistributionRegistry;
import dev.cnai.registry.impl.OciLayoutRegistry;
import java.net.URI;
import java.nio.file.Path;

/** Opens a {@link ModelRegistry} for a location string. */
public final class Registries {
    private Registries() {
    }

    private static final String OCI_LAYOUT = "oci-layout:";
    private static final String OCI = "oci://";
    private static final String OCI_HTTP = "oci+http://";
    private static final String SUPPORTED = "supported: a filesystem path, oci-layout:<path> or file:<uri> (an OCI"
            + " image layout per model under it), oci://host[:port][/namespace] (an OCI registry over HTTPS) or"
            + " oci+http://host[:port][/namespace] (plain HTTP, e.g. a registry on loopback)";

    /**
     * Opens a registry, taking remote-registry credentials from configuration
     * ({@link RegistryCredentials#fromEnvironment(String)}).
     *
     * @see #open(String, RegistryCredentials)
     */
    public static ModelRegistry open(String location) {
        String host = remoteHost(location);
        return open(location, host == null ? RegistryCredentials.none() : RegistryCredentials.fromEnvironment(host));
    }

    /**
     * Opens a registry. A filesystem path, {@code oci-layout:<path>} or a {@code file:} URI opens the embedded
     * OCI image-layout registry rooted there ({@code <root>/<name>/} is one layout per model; created on first
     * push). {@code oci://host[:port][/namespace]} opens an OCI distribution registry over HTTPS and
     * {@code oci+http://…} one over plain HTTP; model {@code name} is the repository {@code <namespace>/<name>}.
     * Any other scheme is rejected with {@link RegistryException#invalid}.
     */
    public static ModelRegistry open(String location, RegistryCredentials credentials) {
        if (location == null || location.isBlank()) {
            throw RegistryException.invalid("registry location is empty; " + SUPPORTED);
        }
        String shown = location.replaceAll("//[^/@]*@", "//****@"); // never echo credentials put in a location
        try {
            if (location.startsWith(OCI) || location.startsWith(OCI_HTTP)) {
                boolean plain = location.startsWith(OCI_HTTP);
                URI uri = URI.create((plain ? "http://" : "https://")
                        + location.substring(plain ? OCI_HTTP.length() : OCI.length()));
                if (uri.getHost() == null || uri.getQuery() != null || uri.getFragment() != null
                        || uri.getUserInfo() != null) {
                    throw RegistryException.invalid("registry location '" + shown + "' must be "
                            + (plain ? OCI_HTTP : OCI) + "host[:port][/namespace] (credentials go in configuration,"
                            + " not in the location); " + SUPPORTED);
                }
                String namespace = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+|/+$", "");
                if (!namespace.isEmpty() && !namespace.matches("[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*")) {
                    throw RegistryException.invalid("registry namespace '" + namespace + "' of '" + shown
                            + "' is not a valid OCI repository path (lower-case, digits, '.', '_', '-', '/')");
                }
                URI base = URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + "/");
                String display = (plain ? OCI_HTTP : OCI) + uri.getRawAuthority()
                        + (namespace.isEmpty() ? "" : "/" + namespace);
                return new OciDistributionRegistry(base, namespace,
                        credentials == null ? RegistryCredentials.none() : credentials, display);
            }
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
                throw RegistryException.invalid("unsupported registry location '" + shown + "'; " + SUPPORTED);
            }
            return new OciLayoutRegistry(Path.of(location));
        } catch (IllegalArgumentException e) {
            throw RegistryException.invalid("invalid registry location '" + shown + "': "
                    + String.valueOf(e.getMessage()).replaceAll("//[^/@]*@", "//****@") + "; " + SUPPORTED);
        }
    }

    /** {@code host[:port]} of a remote location, or null for a local one. */
    private static String remoteHost(String location) {
        if (location == null) {
            return null;
        }
        String rest = location.startsWith(OCI) ? location.substring(OCI.length())
                : location.startsWith(OCI_HTTP) ? location.substring(OCI_HTTP.length()) : null;
        if (rest == null) {
            return null;
        }
        int slash = rest.indexOf('/');
        return slash < 0 ? rest : rest.substring(0, slash);
    }
}
