package dev.cnai.registry;

import dev.cnai.storage.Digests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Test data and paths for registry tests (public for the CLI's tests of the models verbs). */
public final class Fixtures {
    public static final String DATASET = Digests.sha256("mnist-train-shard".getBytes(StandardCharsets.UTF_8));
    public static final String CREATED = "2025-03-01T12:00:00Z";

    private Fixtures() {
    }

    /** Stand-in model bytes; the registry is format-agnostic, so any bytes unique per run will do. */
    public static byte[] onnx(String runId) {
        return ("\u0008\u0007\u0012\u0007pytorch ONNX model of " + runId).getBytes(StandardCharsets.UTF_8);
    }

    public static ModelPush push(String name, String runId) {
        Map<String, Object> hp = new LinkedHashMap<>();
        hp.put("lr", 0.01);
        hp.put("epochs", 3);
        hp.put("hidden", java.util.List.of(128, 64));
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("loss", 0.21);
        metrics.put("accuracy", 0.93);
        return new ModelPush(name, runId, onnx(runId), DATASET, hp, metrics, CREATED);
    }

    /**
     * The ModelPack config schema vendored at {@code specs/modelpack/config-schema.json} (see
     * {@code specs/README.md}): the path in system property {@code cnai.modelpack-schema} (set by shared/pom.xml),
     * else the first {@code specs/modelpack/config-schema.json} found walking up from the working directory
     * (the repository root's).
     */
    static Path configSchema() {
        String rel = "specs/modelpack/config-schema.json";
        String prop = System.getProperty("cnai.modelpack-schema");
        if (prop != null && !prop.isBlank() && Files.isRegularFile(Path.of(prop))) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(rel);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("ModelPack config schema not found: expected " + rel + " in the repository"
                + " (system property cnai.modelpack-schema=" + prop + ", walked up from "
                + Path.of("").toAbsolutePath() + ")");
    }

    static long blobCount(Path modelDir) throws java.io.IOException {
        try (var files = Files.list(modelDir.resolve("blobs/sha256"))) {
            return files.count();
        }
    }

    static Path blob(Path modelDir, String digest) {
        return modelDir.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
    }
}
