package dev.cnai.registry.impl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cnai.registry.ModelAnnotations;
import dev.cnai.registry.ModelPackConfig;
import dev.cnai.registry.RegistryException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Encodes and decodes OCI image manifests of ModelPack artifacts. Encoding is deterministic (fixed field
 * order, annotations sorted by key), so the same push yields the same manifest digest.
 */
final class ManifestCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ManifestCodec() {
    }

    /** A content descriptor. */
    record Descriptor(String mediaType, String digest, long size, Map<String, String> annotations) {
    }

    /** A decoded manifest. */
    record Manifest(String artifactType, Descriptor config, List<Descriptor> layers, Map<String, String> annotations) {

        /** The ONNX weight layer. */
        Descriptor weightLayer(String what) {
            return layers.stream()
                    .filter(l -> ModelPackConfig.WEIGHT_MEDIA_TYPE.equals(l.mediaType())
                            && ModelPackConfig.ONNX_FILEPATH.equals(l.annotations().get(ModelAnnotations.MODEL_FILEPATH)))
                    .findFirst()
                    .orElseThrow(() -> RegistryException.tampered(what, "a " + ModelPackConfig.WEIGHT_MEDIA_TYPE
                            + " layer for " + ModelPackConfig.ONNX_FILEPATH, "none"));
        }
    }

    static byte[] encode(String artifactType, Descriptor config, Descriptor layer, Map<String, String> annotations) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schemaVersion", 2);
        root.put("mediaType", OciLayout.MANIFEST_MEDIA_TYPE);
        root.put("artifactType", artifactType);
        putDescriptor(root.putObject("config"), config);
        putDescriptor(root.putArray("layers").addObject(), layer);
        ObjectNode ann = root.putObject("annotations");
        new TreeMap<>(annotations).forEach(ann::put);
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("manifest JSON of a tree cannot fail to serialize", e);
        }
    }

    private static void putDescriptor(ObjectNode node, Descriptor d) {
        node.put("mediaType", d.mediaType());
        node.put("digest", d.digest());
        node.put("size", d.size());
        if (!d.annotations().isEmpty()) {
            ObjectNode ann = node.putObject("annotations");
            new TreeMap<>(d.annotations()).forEach(ann::put);
        }
    }

    /** Decodes verified manifest bytes; anything that is not an OCI manifest is an integrity failure. */
    static Manifest decode(String what, byte[] data) {
        JsonNode root;
        try {
            root = JSON.readTree(data);
        } catch (IOException e) {
            throw RegistryException.tampered(what, "OCI manifest JSON", "unparseable content (" + e.getMessage() + ")");
        }
        if (root == null || root.path("schemaVersion").asInt() != 2 || !root.path("config").isObject()
                || !root.path("layers").isArray()) {
            throw RegistryException.tampered(what, "an OCI image manifest (schemaVersion 2, config, layers)",
                    "something else");
        }
        List<Descriptor> layers = new ArrayList<>();
        root.get("layers").forEach(l -> layers.add(descriptor(l)));
        return new Manifest(root.path("artifactType").asText(null), descriptor(root.get("config")), List.copyOf(layers),
                strings(root.path("annotations")));
    }

    private static Descriptor descriptor(JsonNode node) {
        return new Descriptor(node.path("mediaType").asText(null), node.path("digest").asText(null),
                node.path("size").asLong(-1), strings(node.path("annotations")));
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> map = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            map.put(e.getKey(), e.getValue().asText());
        }
        return map;
    }
}
