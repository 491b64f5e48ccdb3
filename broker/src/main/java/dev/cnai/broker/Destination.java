package dev.cnai.broker;

import java.net.URI;

/**
 * A Knative {@code Destination} ({@code spec.subscriber} or {@code deadLetterSink}): an object reference, a URI,
 * or both (then the URI is a path relative to the referenced object's address).
 *
 * @param refKind kind of the referenced object (usually {@code Service}), or null
 * @param refName name of the referenced object, or null
 * @param refNamespace namespace of the referenced object, or null
 * @param uri absolute URI, or a path relative to the reference, or null
 */
public record Destination(String refKind, String refName, String refNamespace, URI uri) {

    /** A destination that is a plain absolute URI. */
    public static Destination ofUri(URI uri) {
        return new Destination(null, null, null, uri);
    }

    /** A destination that references a Knative Service by name. */
    public static Destination ofService(String name) {
        return new Destination("Service", name, null, null);
    }

    /** True when this destination names an object reference. */
    public boolean hasRef() {
        return refName != null && !refName.isBlank();
    }

    /** A short human description, e.g. {@code Service/train-shard} or the URI. */
    public String describe() {
        if (hasRef()) {
            String base = (refKind == null ? "Service" : refKind) + "/" + refName;
            return uri == null ? base : base + uri;
        }
        return uri == null ? "(none)" : uri.toString();
    }
}
