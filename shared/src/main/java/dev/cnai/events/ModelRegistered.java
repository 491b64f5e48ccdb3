package dev.cnai.events;

import java.util.Map;

/** register pushed the model as an OCI artifact. {@code reference} is {@code <registry>/<name>:<version>}. */
public record ModelRegistered(String runId, String modelName, String version, String reference,
        String manifestDigest, String modelDigest, Map<String, Double> metrics) implements EventData {
}
