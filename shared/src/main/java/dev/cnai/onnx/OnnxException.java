package dev.cnai.onnx;

import ai.onnxruntime.OrtException;
import dev.cnai.errors.CnaiException;
import dev.cnai.errors.ErrorKind;

/** Failures of ONNX export, loading and inference. */
public final class OnnxException extends CnaiException {
    private OnnxException(ErrorKind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }

    /** ONNX Runtime failed unexpectedly while doing {@code context}. */
    public static OnnxException runtime(String context, OrtException e) {
        return new OnnxException(ErrorKind.INTERNAL, "ONNX Runtime failed while " + context + ": " + e.getMessage(), e);
    }

    /** The caller's input cannot be fed to the model (wrong shape, NaN or infinite values). */
    public static OnnxException invalidInput(String message) {
        return new OnnxException(ErrorKind.INVALID_INPUT, "invalid model input: " + message, null);
    }

    /** The bytes are not a model this code can serve. */
    public static OnnxException invalidModel(String message, Throwable cause) {
        return new OnnxException(ErrorKind.INTEGRITY, "invalid ONNX model: " + message
                + (cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage()), cause);
    }
}
