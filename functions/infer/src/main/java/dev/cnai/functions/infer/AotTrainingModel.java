package dev.cnai.functions.infer;

import dev.cnai.events.NormStats;
import dev.cnai.onnx.OnnxExporter;
import dev.cnai.registry.ModelPush;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.Registries;
import dev.cnai.training.Architecture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code java -cp 'lib/main/*:app/*' dev.cnai.functions.infer.AotTrainingModel REGISTRY NAME BODY}: the model and
 * request of the image's AOT training run ({@code gpu-runtime-image/Dockerfile.jvm}). Registers an MLP 784-128-10
 * with seeded, untrained weights as {@code NAME} (tagged production) in the registry at {@code REGISTRY}, and writes
 * an Open Inference Protocol request for it to {@code BODY}, so that the training start loads a model and answers real
 * inferences (ONNX Runtime's session, the OIP codec, the batcher) instead of recording only the start-up path. Nothing
 * of it stays in the image: the registry lives in the build stage's {@code /tmp}.
 */
public final class AotTrainingModel {
    private static final int FEATURES = 784;

    private AotTrainingModel() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: AotTrainingModel REGISTRY NAME BODY");
            System.exit(2);
        }
        ModelRegistry registry = Registries.open(args[0]);
        Architecture spec = Architecture.mlp(128);
        byte[] onnx = OnnxExporter.export(spec, spec.initialize(FEATURES, 10, 7), new NormStats(33.32, 78.57),
                FEATURES, 10, Map.of("family", "mlp", "purpose", "AOT training run; untrained weights"));
        var version = registry.push(new ModelPush(args[1], "aot-training", onnx, "sha256:" + "0".repeat(64),
                Map.of("family", "mlp"), Map.of(), "2026-01-01T00:00:00Z"));
        registry.tag(args[1], version.version(), ModelRegistry.PRODUCTION);
        StringBuilder body = new StringBuilder("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,").append(FEATURES)
                .append("],\"datatype\":\"FP32\",\"data\":[");
        for (int i = 0; i < FEATURES; i++) {
            body.append(i == 0 ? "" : ",").append(i % 7 == 0 ? "0.5" : "0");
        }
        Files.writeString(Path.of(args[2]), body.append("]}]}").toString());
        System.out.printf("AotTrainingModel: %s %s in %s%n", args[1], version.version(), args[0]);
    }
}
