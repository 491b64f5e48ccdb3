package dev.cnai.serving;

import dev.cnai.errors.CnaiException;
import dev.cnai.errors.ErrorKind;

/** Failures of model serving. */
public final class ServingException extends CnaiException {
    private ServingException(ErrorKind kind, String message) {
        super(kind, message);
    }

    public static ServingException notReady(String model) {
        return new ServingException(ErrorKind.UNAVAILABLE, "model " + model + " is not loaded yet: it is still loading "
                + "after start, or no version is tagged 'production' in the registry (run the pipeline, "
                + "scripts/run-local.sh, or promote a version)");
    }

    public static ServingException unknownModel(String requested, String served) {
        return new ServingException(ErrorKind.NOT_FOUND, "model '" + requested + "' is not served here; this server serves '"
                + served + "'");
    }

    /** A version of the served model that this server has not loaded (see docs/operations.md, versions). */
    public static ServingException versionNotServed(String model, String requested, String served) {
        return new ServingException(ErrorKind.NOT_FOUND, "model '" + model + "' version '" + requested
                + "' is not served here; this server serves version " + (served == null ? "none (not loaded yet)"
                        : "'" + served + "'") + " (the version tagged production)");
    }

    /** The request queue is full; the caller should retry after a short pause. */
    public static ServingException overloaded(String model, int queued) {
        return new ServingException(ErrorKind.OVERLOADED, "model " + model + " has " + queued
                + " requests queued, the configured maximum; retry after the Retry-After delay");
    }

    /**
     * An inference request body over the configured limit ({@code cnai.events.max-bytes}).
     *
     * @param size its size in bytes, or a negative number when it is not known (a chunked body cut off at the limit)
     */
    public static ServingException tooLarge(long size, long max) {
        return new ServingException(ErrorKind.PAYLOAD_TOO_LARGE, "inference request of " + (size < 0 ? "more than "
                + max : size) + " bytes exceeds the limit of " + max + " bytes (cnai.events.max-bytes); send fewer "
                + "rows per request");
    }

    /** An input tensor whose shape declares, or whose data holds, more values than {@link ServingLimits#MAX_TENSOR_ELEMENTS}. */
    public static ServingException tooManyElements(String what, long elements, long max) {
        return new ServingException(ErrorKind.PAYLOAD_TOO_LARGE, what + " " + (elements > max ? elements : "more than "
                + max) + " values, over the limit of " + max + " per input tensor (" + ServingLimits.MAX_TENSOR_ELEMENTS
                + "); send fewer rows per request");
    }

    /** A request of more rows than {@link ServingLimits#MAX_ROWS}. */
    public static ServingException tooManyRows(String what, long rows, long max) {
        return new ServingException(ErrorKind.PAYLOAD_TOO_LARGE, what + " " + rows + " rows, over the limit of " + max
                + " rows per request (" + ServingLimits.MAX_ROWS + "); split it into requests of at most " + max
                + " rows");
    }

    /** A string (or object key) of a request longer than {@link ServingLimits#MAX_STRING_LENGTH}. */
    public static ServingException stringTooLong(String where, long max) {
        return new ServingException(ErrorKind.PAYLOAD_TOO_LARGE, "a string in the request"
                + (where.isEmpty() ? "" : " " + where) + " is longer than the limit of " + max + " characters (" + ServingLimits.MAX_STRING_LENGTH
                + "); shorten ids, names and parameter values");
    }

    public static ServingException invalid(String message) {
        return new ServingException(ErrorKind.INVALID_INPUT, message);
    }
}
