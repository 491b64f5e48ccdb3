package dev.cnai.broker;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Resolves Knative destinations to local URLs: object references by name through a map
 * (service name → base URL, e.g. {@code preprocess=http://127.0.0.1:8081}); absolute URIs as they are.
 */
public final class SubscriberResolver {

    private final Map<String, URI> services;

    /** Creates a resolver over a service-name → base-URL map. */
    public SubscriberResolver(Map<String, URI> services) {
        this.services = Map.copyOf(services);
    }

    /** The service map. */
    public Map<String, URI> services() {
        return services;
    }

    /**
     * The URL to POST to, or empty when the destination references an object that is not mapped.
     * With both a ref and a relative uri, the uri is resolved against the mapped base URL.
     */
    public Optional<URI> resolve(Destination d) {
        if (d == null) {
            return Optional.empty();
        }
        if (d.hasRef()) {
            URI base = services.get(d.refName());
            if (base == null && d.refNamespace() != null) {
                base = services.get(d.refNamespace() + "/" + d.refName());
            }
            if (base == null) {
                return Optional.empty();
            }
            if (d.uri() == null) {
                return Optional.of(base);
            }
            return Optional.of(d.uri().isAbsolute() ? d.uri() : base.resolve(d.uri()));
        }
        return d.uri() != null && d.uri().isAbsolute() ? Optional.of(d.uri()) : Optional.empty();
    }

    /** Why {@link #resolve} is empty for {@code d}, as advice a person can act on. */
    public String unresolvedReason(Destination d) {
        if (d == null) {
            return "no destination";
        }
        if (d.hasRef()) {
            return (d.refKind() == null ? "Service" : d.refKind()) + " '" + d.refName()
                    + "' is not mapped to a local URL (start the broker with --subscriber " + d.refName()
                    + "=http://127.0.0.1:PORT)";
        }
        return "uri '" + d.uri() + "' is not absolute";
    }

    /**
     * Parses one {@code name=url} mapping.
     *
     * @throws IllegalArgumentException when it is not of that form or the URL is not absolute http(s)
     */
    public static Map.Entry<String, URI> parseMapping(String text) {
        int eq = text.indexOf('=');
        if (eq <= 0 || eq == text.length() - 1) {
            throw new IllegalArgumentException("subscriber mapping must be name=url, got '" + text + "'");
        }
        return Map.entry(text.substring(0, eq).trim(), parseUrl(text.substring(0, eq).trim(), text.substring(eq + 1)));
    }

    /** Reads {@code name=url} mappings from a Java properties file. */
    public static Map<String, URI> readProperties(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        Map<String, URI> m = new LinkedHashMap<>();
        for (String name : p.stringPropertyNames()) {
            m.put(name.trim(), parseUrl(name, p.getProperty(name)));
        }
        return m;
    }

    private static URI parseUrl(String name, String url) {
        URI u;
        try {
            u = URI.create(url.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("subscriber '" + name + "': invalid URL '" + url + "'");
        }
        if (!u.isAbsolute() || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
            throw new IllegalArgumentException("subscriber '" + name + "': URL must be absolute http(s), got '"
                    + url + "'");
        }
        return u;
    }
}
