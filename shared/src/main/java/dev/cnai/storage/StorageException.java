package dev.cnai.storage;

import dev.cnai.errors.CnaiException;
import dev.cnai.errors.ErrorKind;

/** Failures of the object store. */
public final class StorageException extends CnaiException {
    private StorageException(ErrorKind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }

    public static StorageException notFound(String uri) {
        return new StorageException(ErrorKind.NOT_FOUND, "object not found: " + uri, null);
    }

    public static StorageException digestMismatch(String uri, String expected, String actual) {
        return new StorageException(ErrorKind.INTEGRITY,
                "object " + uri + " has digest " + actual + " but the event expected " + expected
                        + "; it was modified or truncated after it was written", null);
    }

    public static StorageException io(String what, Throwable cause) {
        return new StorageException(ErrorKind.UNAVAILABLE, what + ": " + cause.getMessage(), cause);
    }

    public static StorageException badKey(String key, String why) {
        return new StorageException(ErrorKind.INVALID_INPUT, "invalid object key '" + key + "': " + why, null);
    }

    public static StorageException unsupportedScheme(String uri) {
        return new StorageException(ErrorKind.INVALID_INPUT,
                "unsupported storage URI '" + uri + "': use file:///absolute/path or s3://bucket/prefix", null);
    }

    /** A storage location whose configuration can never work as written (bad URI, option, value). */
    public static StorageException badConfig(String uri, String why) {
        return new StorageException(ErrorKind.INVALID_INPUT, "invalid storage location " + uri + ": " + why, null);
    }

    /** The backing service is unusable right now (unreachable, bucket missing, access denied, wrong region). */
    public static StorageException unavailable(String message, Throwable cause) {
        return new StorageException(ErrorKind.UNAVAILABLE, message, cause);
    }
}
