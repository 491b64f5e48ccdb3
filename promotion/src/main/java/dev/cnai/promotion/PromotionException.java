package dev.cnai.promotion;

import dev.cnai.errors.CnaiException;
import dev.cnai.errors.ErrorKind;

/** Failures of promoting or rolling back the infer Knative Service. */
public final class PromotionException extends CnaiException {
    private PromotionException(ErrorKind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }

    /** The Knative Service (or the revision to roll back to) does not exist ({@link ErrorKind#NOT_FOUND}). */
    public static PromotionException notFound(String message) {
        return new PromotionException(ErrorKind.NOT_FOUND, message, null);
    }

    /** Bad rollout settings or request ({@link ErrorKind#INVALID_INPUT}). */
    public static PromotionException invalid(String message) {
        return new PromotionException(ErrorKind.INVALID_INPUT, message, null);
    }

    /** The cluster refused or could not be reached, or a revision did not become ready ({@link ErrorKind#UNAVAILABLE}). */
    public static PromotionException unavailable(String message, Throwable cause) {
        return new PromotionException(ErrorKind.UNAVAILABLE, message + (cause == null ? "" : ": " + cause.getMessage()),
                cause);
    }
}
