package dev.cnai.serving;

import dev.cnai.errors.CnaiException;
import dev.cnai.errors.ErrorKind;

/** Failures of model serving. */
public final class ServingException extends CnaiException {
    private ServingException(ErrorKind kind, String message) {
        super(kind, message);
    }

    public static ServingException notReady(String model) {
        return new ServingException(ErrorKind.UNAVAILABLE, "model " + model + " is not loaded yet: no version is tagged "
                + "'production' in the registry; run the pipeline (scripts/run-local.sh) or promote a version");
    }

    public static ServingException unknownModel(String requested, String served) {
        return new ServingException(ErrorKind.NOT_FOUND, "model '" + requested + "' is not served here; this server serves '"
                + served + "'");
    }

    public static ServingException invalid(String message) {
        return new ServingException(ErrorKind.INVALID_INPUT, message);
    }
}
