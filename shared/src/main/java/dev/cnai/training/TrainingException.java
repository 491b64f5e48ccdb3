package dev.cnai.training;

import ai.onnxruntime.OrtException;
import dev.cnai.errors.CnaiException;
import dev.cnai.errors.ErrorKind;

/** Failures of model construction, training and weight handling. */
public final class TrainingException extends CnaiException {
    private TrainingException(ErrorKind kind, String message) {
        super(kind, message);
    }

    private TrainingException(ErrorKind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }

    /** ONNX Runtime failed unexpectedly while the training engine was doing {@code context}. */
    public static TrainingException runtime(String context, OrtException e) {
        return new TrainingException(ErrorKind.INTERNAL, "ONNX Runtime failed while " + context + ": "
                + e.getMessage(), e);
    }

    /** The requested execution provider cannot run here (e.g. CUDA on a CPU-only build or machine). */
    public static TrainingException providerUnavailable(String message) {
        return new TrainingException(ErrorKind.INVALID_INPUT, "execution provider unavailable: " + message);
    }

    /** The model or training spec is invalid (unknown family, bad width, non-positive batch size...). */
    public static TrainingException invalidSpec(String message) {
        return new TrainingException(ErrorKind.INVALID_INPUT, "invalid spec: " + message);
    }

    /** The training or evaluation data cannot be used (empty, NaN values, labels out of range...). */
    public static TrainingException invalidData(String message) {
        return new TrainingException(ErrorKind.INVALID_INPUT, "invalid data: " + message);
    }

    /** Training diverged (loss became NaN or infinite). */
    public static TrainingException diverged(String message) {
        return new TrainingException(ErrorKind.INVALID_INPUT, "training diverged: " + message
                + "; lower the learning rate (or the momentum) and retry");
    }

    /** Weights do not fit the model spec, or updates to be averaged do not fit each other. */
    public static TrainingException incompatible(String message) {
        return new TrainingException(ErrorKind.INTEGRITY, "incompatible weights: " + message);
    }

    /** Encoded weights are garbled or truncated. */
    public static TrainingException corrupt(String message) {
        return new TrainingException(ErrorKind.INTEGRITY, "malformed weights artifact: " + message);
    }
}
