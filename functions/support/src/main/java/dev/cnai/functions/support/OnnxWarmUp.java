package dev.cnai.functions.support;

import dev.cnai.onnx.OnnxRuntimes;

/**
 * Loads ONNX Runtime's native libraries and creates its environment (~0.1–0.2 s of CPU here, JDK 25 + AOT cache),
 * named as a {@link WarmUp} by the functions that run models (infer, evaluate, train-shard): before, infer started
 * that at its {@code StartupEvent} and a cold infer's first answer waited for it after the HTTP server was up.
 */
public final class OnnxWarmUp implements WarmUp {
    @Override
    public void warm() {
        OnnxRuntimes.environment();
    }
}
