package dev.cnai.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/**
 * Media types of the CNCF ModelPack spec and a deterministic builder of its config JSON
 * ({@code application/vnd.cncf.model.config.v1+json}): same inputs, same bytes.
 */
public final class ModelPackConfig {
    private ModelPackConfig() {
    }

    /** Manifest {@code artifactType} of a ModelPack artifact. */
    public static final String ARTIFACT_TYPE = "application/vnd.cncf.model.manifest.v1+json";
    /** Media type of the config blob. */
    public static final String CONFIG_MEDIA_TYPE = "application/vnd.cncf.model.config.v1+json";
    /** Media type of an uncompressed weight layer. */
    public static final String WEIGHT_MEDIA_TYPE = "application/vnd.cncf.model.weight.v1.raw";
    /** Manifest {@code artifactType} of a rejection record (a run refused by the quality gate; not a ModelPack). */
    public static final String REJECTION_ARTIFACT_TYPE = "application/vnd.cnai.model.rejection.v1+json";
    /** File path of the ONNX weight layer within the model. */
    public static final String ONNX_FILEPATH = "model.onnx";
    /** Model format recorded in the config. */
    public static final String FORMAT_ONNX = "onnx";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The config JSON for an ONNX model stored as one raw weight layer. The run id is recorded as the
     * descriptor revision; the layer digest is the (uncompressed) diffId.
     */
    public static byte[] build(String name, String version, String createdAt, String runId, String datasetDigest,
            String modelDigest) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode descriptor = root.putObject("descriptor");
        descriptor.put("name", name);
        descriptor.put("version", version);
        descriptor.put("createdAt", createdAt);
        descriptor.put("revision", runId);
        descriptor.put("description", "ONNX model " + name + " " + version + " trained by run " + runId
                + " on dataset " + datasetDigest);
        root.putObject("config").put("format", FORMAT_ONNX);
        ObjectNode modelfs = root.putObject("modelfs");
        modelfs.put("type", "layers");
        modelfs.putArray("diffIds").add(modelDigest);
        try {
            return JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("config JSON of a tree cannot fail to serialize", e);
        }
    }
}
