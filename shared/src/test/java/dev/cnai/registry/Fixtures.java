package dev.cnai.registry;

import dev.cnai.storage.Digests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Test data and paths for registry tests. */
final class Fixtures {
    static final String DATASET = Digests.sha256("mnist-train-shard".getBytes(StandardCharsets.UTF_8));
    static final String CREATED = "2025-03-01T12:00:00Z";

    private Fixtures() {
    }

    /** Stand-in model bytes; the registry is format-agnostic, so any bytes unique per run will do. */
    static byte[] onnx(String runId) {
        return ("\u0008\u0007\u0012\u0007pytorch ONNX model of " + runId).getBytes(StandardCharsets.UTF_8);
    }

    static ModelPush push(String name, String runId) {
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
     * The ModelPack config schema: {@code $CNAI_SHARED_DIR/specs/modelpack/config-schema.json}, else
     * {@code <repoRoot>/../shared/specs/...} found by walking up from the working directory.
     */
    static Path configSchema() {
        String rel = "specs/modelpack/config-schema.json";
        String env = System.getenv("CNAI_SHARED_DIR");
        if (env != null && !env.isBlank() && Files.isRegularFile(Path.of(env).resolve(rel))) {
            return Path.of(env).resolve(rel);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve(rel);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("ModelPack config schema not found: set CNAI_SHARED_DIR to the directory"
                + " holding " + rel + " (walked up from " + Path.of("").toAbsolutePath() + ")");
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
