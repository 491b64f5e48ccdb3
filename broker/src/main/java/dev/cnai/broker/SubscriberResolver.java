package dev.cnai.broker;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Resolves Knative destinations to local URLs: object references by name through a map
 * (service name → base URL, e.g. {@code preprocess=http://127.0.0.1:8081}); absolute URIs as they are.
 */
public final class SubscriberResolver {

    private final Map<String, URI> services;
    private final Map<String, List<URI>> replicas;
    private final Map<String, AtomicInteger> turns = new ConcurrentHashMap<>();

    /** Creates a resolver over a service-name → base-URL map. */
    public SubscriberResolver(Map<String, URI> services) {
        this(services, Map.of());
    }

    /**
     * Creates a resolver whose services may have replicas: {@link #next} answers a service's URLs in turn (round
     * robin); {@link #resolve} always its first.
     */
    public SubscriberResolver(Map<String, URI> services, Map<String, List<URI>> replicas) {
        this.services = Map.copyOf(services);
        this.replicas = Map.copyOf(replicas);
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
            String name = d.refName();
            URI base = services.get(name);
            if (base == null && d.refNamespace() != null) {
                name = d.refNamespace() + "/" + d.refName();
                base = services.get(name);
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

    /**
     * {@link #resolve}, but a service with replicas answers its URLs in turn (round robin, one per call): the
     * target of each new delivery and of each retry, as Knative spreads requests over a Service's pods.
     */
    public Optional<URI> next(Destination d) {
        Optional<URI> first = resolve(d);
        if (first.isEmpty() || !d.hasRef() || d.uri() != null) {
            return first;
        }
        String name = services.containsKey(d.refName()) ? d.refName() : d.refNamespace() + "/" + d.refName();
        return Optional.of(replica(name, first.get()));
    }

    /**
     * The target of a retry of a delivery that failed at {@code failed}: for a service with replicas, the URL after the
     * failed one (so a retry never lands on the replica that just failed while another is there); otherwise as
     * {@link #next}.
     */
    public Optional<URI> after(Destination d, URI failed) {
        Optional<URI> first = resolve(d);
        if (first.isEmpty() || !d.hasRef() || d.uri() != null) {
            return first;
        }
        String name = services.containsKey(d.refName()) ? d.refName() : d.refNamespace() + "/" + d.refName();
        List<URI> all = new ArrayList<>();
        all.add(first.get());
        all.addAll(replicas.getOrDefault(name, List.of()));
        int at = all.indexOf(failed);
        return at < 0 ? Optional.of(replica(name, first.get())) : Optional.of(all.get((at + 1) % all.size()));
    }

    /** The base URL of the service's next turn: the first URL, then each replica, round robin. */
    private URI replica(String name, URI first) {
        List<URI> more = replicas.get(name);
        if (more == null || more.isEmpty()) {
            return first;
        }
        int turn = Math.floorMod(turns.computeIfAbsent(name, n -> new AtomicInteger()).getAndIncrement(),
                more.size() + 1);
        return turn == 0 ? first : more.get(turn - 1);
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
