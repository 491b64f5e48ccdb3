package dev.cnai.registry.impl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cnai.registry.ModelAnnotations;
import dev.cnai.registry.ModelPush;
import dev.cnai.registry.RegistryException;
import dev.cnai.storage.Digests;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/** A push's lineage: its checks, and the manifest annotations that record it (run, dataset, metrics, parent…). */
final class Lineage {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private Lineage() {
    }

    static Map<String, String> annotations(ModelPush push, String version, Optional<String> parent) {
        Map<String, String> a = new TreeMap<>();
        a.put(ModelAnnotations.RUN_ID, push.runId());
        a.put(ModelAnnotations.DATASET_DIGEST, push.datasetDigest());
        if (push.testDigest() != null) {
            a.put(ModelAnnotations.TEST_DIGEST, push.testDigest());
        }
        a.put(ModelAnnotations.HYPERPARAMETERS, compactJson(push.hyperParameters(), "hyper-parameters"));
        a.put(ModelAnnotations.METRICS, compactJson(push.metrics(), "metrics"));
        parent.ifPresent(p -> a.put(ModelAnnotations.PARENT_VERSION, p));
        if (push.traceparent() != null) {
            a.put(ModelAnnotations.RUN_TRACEPARENT, push.traceparent());
        }
        a.put(ModelAnnotations.OCI_VERSION, version);
        a.put(ModelAnnotations.OCI_CREATED, push.createdAt());
        return a;
    }

    /** Metrics from their compact-JSON annotation; empty when absent or unreadable. */
    static Map<String, Double> metrics(String json) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (json == null) {
            return out;
        }
        try {
            JSON.readTree(json).fields().forEachRemaining(e -> {
                if (e.getValue().isNumber()) {
                    out.put(e.getKey(), e.getValue().asDouble());
                }
            });
        } catch (JsonProcessingException e) {
            return out;
        }
        return out;
    }

    static String compactJson(Object value, String what) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw RegistryException.invalid(what + " cannot be written as JSON: " + e.getOriginalMessage());
        }
    }

    static void validate(ModelPush push) {
        if (push == null) {
            throw RegistryException.invalid("push is missing");
        }
        Refs.name(push.name());
        if (push.runId() == null || push.runId().isBlank()) {
            throw RegistryException.invalid("push of model " + push.name() + " has no run id");
        }
        if (push.onnx() == null || push.onnx().length == 0) {
            throw RegistryException.invalid("push of model " + push.name() + " (run " + push.runId()
                    + ") has no ONNX bytes");
        }
        if (!Digests.isSha256(push.datasetDigest())) {
            throw RegistryException.invalid("dataset digest '" + push.datasetDigest() + "' of run " + push.runId()
                    + " is not sha256:<64 hex>");
        }
        if (push.testDigest() != null && !Digests.isSha256(push.testDigest())) {
            throw RegistryException.invalid("test split digest '" + push.testDigest() + "' of run " + push.runId()
                    + " is not sha256:<64 hex>");
        }
        try {
            OffsetDateTime.parse(String.valueOf(push.createdAt()));
        } catch (DateTimeParseException e) {
            throw RegistryException.invalid("createdAt '" + push.createdAt() + "' of run " + push.runId()
                    + " is not an RFC 3339 date-time such as 2025-01-31T12:00:00Z");
        }
        push.metrics().forEach((k, v) -> {
            if (k == null || v == null || !Double.isFinite(v)) {
                throw RegistryException.invalid("metric '" + k + "' of run " + push.runId() + " is " + v
                        + "; metrics must be finite numbers");
            }
        });
        if (push.hyperParameters().keySet().stream().anyMatch(Objects::isNull)) {
            throw RegistryException.invalid("hyper-parameters of run " + push.runId() + " contain a null key");
        }
    }
}
