package dev.cnai.events;

/** An alias (normally {@code production}) now points at a version; infer reloads. */
public record ModelPromoted(String runId, String modelName, String alias, String version, String reference,
        String manifestDigest, String modelDigest) implements EventData {
}
