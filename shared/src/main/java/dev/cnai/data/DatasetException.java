package dev.cnai.data;

import dev.cnai.errors.CnaiException;
import dev.cnai.errors.ErrorKind;
import java.util.List;

/** Failures reading, validating, splitting or decoding datasets. Messages say what to fix. */
public final class DatasetException extends CnaiException {

    private DatasetException(ErrorKind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }

    /** The dataset, spec or argument is wrong as given ({@link ErrorKind#INVALID_INPUT}). */
    public static DatasetException invalid(String message) {
        return new DatasetException(ErrorKind.INVALID_INPUT, message, null);
    }

    /** A dataset file or folder does not exist ({@link ErrorKind#NOT_FOUND}). */
    public static DatasetException notFound(String what) {
        return new DatasetException(ErrorKind.NOT_FOUND, what + " does not exist; check the path or URI in the dataset spec"
                + " (scripts/fetch-datasets.sh downloads the pinned datasets)", null);
    }

    /**
     * A dataset source exists but could not be read. File-system failures (permissions, I/O) are
     * {@link ErrorKind#UNAVAILABLE}; anything else (bad gzip, tar or JSON, a truncated file) means the
     * content is malformed: {@link ErrorKind#INVALID_INPUT}.
     */
    public static DatasetException unreadable(String what, Throwable cause) {
        String detail = cause == null || cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")";
        if (cause instanceof java.nio.file.FileSystemException) {
            return new DatasetException(ErrorKind.UNAVAILABLE,
                    "cannot read " + what + detail + "; check that the file is readable", cause);
        }
        return new DatasetException(ErrorKind.INVALID_INPUT, "cannot read " + what
                + ": the content is malformed or truncated" + detail + "; re-fetch or regenerate the file", cause);
    }

    /** Content of a dataset file does not follow its format ({@link ErrorKind#INVALID_INPUT}). */
    public static DatasetException malformed(String what, String why) {
        return new DatasetException(ErrorKind.INVALID_INPUT, what + ": " + why, null);
    }

    /** The requested format is not one of the supported ones ({@link ErrorKind#INVALID_INPUT}). */
    public static DatasetException unsupportedFormat(String format, List<String> supported) {
        return new DatasetException(ErrorKind.INVALID_INPUT,
                "unsupported dataset format '" + format + "'; use one of " + String.join(", ", supported), null);
    }

    /** A dataset over a {@link DatasetLimits} limit ({@link ErrorKind#PAYLOAD_TOO_LARGE}); the message names the key. */
    public static DatasetException tooLarge(String message) {
        return new DatasetException(ErrorKind.PAYLOAD_TOO_LARGE, message, null);
    }

    /** Encoded shard bytes are truncated or garbled ({@link ErrorKind#INTEGRITY}). */
    public static DatasetException corrupt(String why) {
        return new DatasetException(ErrorKind.INTEGRITY,
                "shard bytes are corrupt: " + why + "; re-run preprocess to rewrite the shard", null);
    }
}
