package dev.cnai.onnx;

import ai.onnxruntime.OrtEnvironment;

/**
 * The one place this project obtains its ONNX Runtime environment (serving, evaluation and training all share the
 * process-wide default one), so that what every environment must be set up with is set up once, here.
 * {@link #environment()} also loads ONNX Runtime's native libraries on first use (from {@code onnxruntime.native.path}
 * when set, as the images do); a function that will need them calls it early, off its start-up path.
 */
public final class OnnxRuntimes {
    private OnnxRuntimes() {
    }

    /** The shared environment, created (and the native libraries loaded) on the first call; thread-safe. */
    public static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment();
    }
}
