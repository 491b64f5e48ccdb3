package dev.cnai.registry;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A trained model to register.
 *
 * @param name            model name, {@code [a-z0-9][a-z0-9._-]*}
 * @param runId           id of the training run; pushes are idempotent per (name, runId)
 * @param onnx            the ONNX model bytes
 * @param datasetDigest   {@code sha256:<hex>} of the dataset the model was trained on
 * @param hyperParameters hyper-parameters, stored as compact JSON (keys sorted)
 * @param metrics         evaluation metrics, stored as compact JSON (keys sorted); values must be finite
 * @param createdAt       RFC 3339 timestamp recorded as the creation time (not the clock, so pushes are reproducible)
 * @param testDigest      {@code sha256:<hex>} of the test split the metrics were measured on, or null if unknown
 * @param traceparent     W3C traceparent of the run's trace (the registering span), recorded so that serving can link
 *                        to the run that trained the model; or null
 */
public record ModelPush(String name, String runId, byte[] onnx, String datasetDigest,
        Map<String, Object> hyperParameters, Map<String, Double> metrics, String createdAt, String testDigest,
        String traceparent) {

    /** A push without a recorded trace. */
    public ModelPush(String name, String runId, byte[] onnx, String datasetDigest, Map<String, Object> hyperParameters,
            Map<String, Double> metrics, String createdAt, String testDigest) {
        this(name, runId, onnx, datasetDigest, hyperParameters, metrics, createdAt, testDigest, null);
    }

    /** A push without a recorded test split. */
    public ModelPush(String name, String runId, byte[] onnx, String datasetDigest, Map<String, Object> hyperParameters,
            Map<String, Double> metrics, String createdAt) {
        this(name, runId, onnx, datasetDigest, hyperParameters, metrics, createdAt, null, null);
    }

    public ModelPush {
        hyperParameters = hyperParameters == null ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(hyperParameters));
        metrics = metrics == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }
}
