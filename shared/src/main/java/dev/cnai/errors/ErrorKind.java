package dev.cnai.errors;

/** What went wrong, independent of transport. Mapped to HTTP statuses in one place. */
public enum ErrorKind {
    /** The caller sent something that can never succeed as sent (bad attribute, schema, shape, NaN). */
    INVALID_INPUT,
    /** The content type of a request or event is not one we accept. */
    UNSUPPORTED_MEDIA_TYPE,
    /** The request or event is larger than we accept. */
    PAYLOAD_TOO_LARGE,
    /** A referenced thing (artifact, model, version, event type) does not exist. */
    NOT_FOUND,
    /** The request conflicts with current state (e.g. deleting a version an alias points at). */
    CONFLICT,
    /** Stored bytes do not match their digest, or an artifact is malformed. */
    INTEGRITY,
    /** Too much load right now; the caller should retry later. */
    OVERLOADED,
    /** A dependency (store, registry) is unreachable; retrying may succeed. */
    UNAVAILABLE,
    /** A bug or unexpected failure on our side. */
    INTERNAL
}
