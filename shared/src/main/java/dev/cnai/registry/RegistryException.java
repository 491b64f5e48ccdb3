package dev.cnai.registry;

import dev.cnai.errors.CnaiException;
import dev.cnai.errors.ErrorKind;
import java.util.Collection;

/** Failures of the model registry. */
public final class RegistryException extends CnaiException {
    private RegistryException(ErrorKind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }

    /** A model has no version or alias {@code ref}; the message lists the refs it does have. */
    public static RegistryException notFound(String name, String ref, Collection<String> known) {
        return new RegistryException(ErrorKind.NOT_FOUND, "model " + name + " has no version or alias '" + ref
                + "'; known: " + (known.isEmpty() ? "none" : String.join(", ", known)), null);
    }

    /** A registry has no model {@code name} ({@link ErrorKind#NOT_FOUND}). */
    public static RegistryException noSuchModel(String name, String registry) {
        return new RegistryException(ErrorKind.NOT_FOUND, "registry " + registry + " has no model " + name, null);
    }

    /** A model has no version or alias {@code ref} ({@link ErrorKind#NOT_FOUND}). */
    public static RegistryException notFound(String name, String ref) {
        return new RegistryException(ErrorKind.NOT_FOUND, "model " + name + " has no version or alias '" + ref + "'",
                null);
    }

    /** Stored content does not match its descriptor ({@link ErrorKind#INTEGRITY}). */
    public static RegistryException tampered(String what, String expected, String actual) {
        return new RegistryException(ErrorKind.INTEGRITY, what + " does not match its descriptor: expected "
                + expected + ", found " + actual + "; it was modified or corrupted after it was pushed", null);
    }

    /** A bad model name, alias, reference or push ({@link ErrorKind#INVALID_INPUT}). */
    public static RegistryException invalid(String message) {
        return new RegistryException(ErrorKind.INVALID_INPUT, message, null);
    }

    /** The request conflicts with the registry's state ({@link ErrorKind#CONFLICT}). */
    public static RegistryException conflict(String message) {
        return new RegistryException(ErrorKind.CONFLICT, message, null);
    }

    /**
     * The registry refused our credentials, or asked for some and none are configured
     * ({@link ErrorKind#INVALID_INPUT}: retrying with the same configuration cannot succeed).
     */
    public static RegistryException unauthorized(String message) {
        return new RegistryException(ErrorKind.INVALID_INPUT, message, null);
    }

    /** The registry answered with an unexpected status ({@link ErrorKind#UNAVAILABLE} for 5xx, else INVALID_INPUT). */
    public static RegistryException remote(String what, int status, String body) {
        return new RegistryException(status >= 500 || status == 429 ? ErrorKind.UNAVAILABLE : ErrorKind.INVALID_INPUT,
                what + ": registry answered HTTP " + status + (body == null || body.isBlank() ? ""
                        : " " + (body.length() > 300 ? body.substring(0, 300) + "…" : body.strip())), null);
    }

    /** The registry storage could not be read or written ({@link ErrorKind#UNAVAILABLE}). */
    public static RegistryException io(String what, Throwable cause) {
        return new RegistryException(ErrorKind.UNAVAILABLE, what + ": " + cause.getMessage(), cause);
    }
}
