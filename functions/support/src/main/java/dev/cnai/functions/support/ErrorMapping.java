package dev.cnai.functions.support;

import dev.cnai.errors.ErrorKind;

/** The one place where error kinds become HTTP statuses. */
public final class ErrorMapping {
    private ErrorMapping() {
    }

    public static int status(ErrorKind kind) {
        return switch (kind) {
            case INVALID_INPUT -> 400;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case PAYLOAD_TOO_LARGE -> 413;
            case UNSUPPORTED_MEDIA_TYPE -> 415;
            case INTEGRITY -> 422;
            case OVERLOADED -> 429;
            case UNAVAILABLE -> 503;
            case INTERNAL -> 500;
        };
    }

    /**
     * Seconds a client is told to wait ({@code Retry-After}) before retrying a 429 (overloaded) or 503
     * (not ready) answer; empty for other statuses.
     */
    public static java.util.OptionalInt retryAfterSeconds(int status) {
        return status == 429 || status == 503 ? java.util.OptionalInt.of(1) : java.util.OptionalInt.empty();
    }

    /** Whether a sender (the broker) should retry after this status. Knative retries 5xx, 408 and 429. */
    public static boolean retryable(int status) {
        return status >= 500 || status == 408 || status == 429;
    }
}
