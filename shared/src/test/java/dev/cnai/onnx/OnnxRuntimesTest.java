package dev.cnai.onnx;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import org.junit.jupiter.api.Test;

class OnnxRuntimesTest {
    @Test
    void theSharedEnvironmentHasTelemetryOff() {
        OrtEnvironment env = OnnxRuntimes.environment();
        assertTrue(OnnxRuntimes.telemetryOff(), "environment() must switch ONNX Runtime's telemetry off");
        assertSame(OrtEnvironment.getEnvironment(), env, "the process-wide default environment");
        assertSame(env, OnnxRuntimes.environment(), "later calls return the same environment");
    }
}
