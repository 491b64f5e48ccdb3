package dev.cnai.function;

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

    /** Whether a sender (the broker) should retry after this status. Knative retries 5xx, 408 and 429. */
    public static boolean retryable(int status) {
        return status >= 500 || status == 408 || status == 429;
    }
}
