package dev.cnai.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;

/**
 * The one place this project obtains its ONNX Runtime environment (serving, evaluation and training all share the
 * process-wide default one), so that what every environment must be set up with is set up once, here.
 * {@link #environment()} also loads ONNX Runtime's native libraries on first use (from {@code onnxruntime.native.path}
 * when set, as the images do); a function that will need them calls it early, off its start-up path.
 *
 * <p>ONNX Runtime's telemetry events are switched off on that first use ({@link OrtEnvironment#setTelemetry}): on
 * Linux ONNX Runtime has no telemetry provider, so this changes nothing there, but it makes "no surprise traffic"
 * explicit on every platform. The call is one native flag write, not measurable at start-up.
 */
public final class OnnxRuntimes {
    private static volatile boolean telemetryOff;

    private OnnxRuntimes() {
    }

    /** The shared environment, created (and the native libraries loaded) on the first call; thread-safe. */
    public static OrtEnvironment environment() {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        if (!telemetryOff) {
            disableTelemetry(env);
        }
        return env;
    }

    /** Whether {@link #environment()} has switched ONNX Runtime's telemetry off in this process. */
    public static boolean telemetryOff() {
        return telemetryOff;
    }

    private static synchronized void disableTelemetry(OrtEnvironment env) {
        if (telemetryOff) {
            return;
        }
        try {
            env.setTelemetry(false);
        } catch (OrtException e) {
            throw OnnxException.runtime("switching its telemetry off", e);
        }
        telemetryOff = true;
    }
}
