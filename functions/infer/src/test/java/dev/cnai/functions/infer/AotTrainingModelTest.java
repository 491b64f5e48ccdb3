package dev.cnai.functions.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.Registries;
import dev.cnai.serving.OipCodec;
import dev.cnai.serving.OipRequest;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image's AOT training run gets a model ONNX Runtime can run and a request the OIP codec accepts. */
class AotTrainingModelTest {
    @Test
    void registersAServableModelAndAMatchingRequest(@TempDir Path dir) throws Exception {
        Path registry = dir.resolve("registry");
        Path body = dir.resolve("request.json");
        AotTrainingModel.main(new String[] {registry.toString(), "mnist-mlp", body.toString()});

        OipRequest request = OipCodec.parse(Files.readAllBytes(body));
        assertArrayEquals(new long[] {1, 784}, request.shape());
        assertEquals("FP32", request.datatype());

        ModelRegistry models = Registries.open(registry.toString());
        byte[] onnx = models.pull("mnist-mlp", ModelRegistry.PRODUCTION).onnx();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                OrtSession session = env.createSession(onnx, options);
                OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(request.data()), request.shape());
                OrtSession.Result result = session.run(Map.of(session.getInputNames().iterator().next(), input))) {
            float[][] probabilities = (float[][]) result.get(0).getValue();
            assertEquals(10, probabilities[0].length);
            double sum = 0;
            for (float p : probabilities[0]) {
                sum += p;
            }
            assertEquals(1.0, sum, 1e-4, "a softmax over the ten classes");
        }
    }
}
