package dev.cnai.storage.impl;

import dev.cnai.storage.StorageException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Turns SDK failures into {@link StorageException}s that name the object's {@code s3://} URI and what to fix. The
 * messages carry the HTTP status, S3's error code and request id, never the service's raw response body (for a bad
 * key it echoes the access key id) and never a credential.
 */
final class S3Errors {
    private S3Errors() {
    }

    /** 501 NotImplemented: the server does not support a header of the request (here If-None-Match). */
    static boolean notImplemented(S3Exception e) {
        return e.statusCode() == 501 || "NotImplemented".equals(code(e));
    }

    static boolean preconditionFailed(S3Exception e) {
        return e.statusCode() == 412 || "PreconditionFailed".equals(code(e));
    }

    /** A 409 ConditionalRequestConflict: a concurrent conditional write on the key is in flight; retry. */
    static boolean conditionalConflict(S3Exception e) {
        return e.statusCode() == 409 && "ConditionalRequestConflict".equals(code(e));
    }

    static StorageException map(String action, String uri, S3Location where, SdkException failure) {
        if (failure instanceof S3Exception e) {
            String code = code(e);
            String detail = " (HTTP " + e.statusCode() + (code == null ? "" : " " + code)
                    + (e.requestId() == null ? "" : ", request id " + e.requestId()) + ")";
            if ("NoSuchBucket".equals(code)) {
                return StorageException.unavailable("cannot " + action + " " + uri + ": bucket '" + where.bucket()
                        + "' does not exist at " + endpoint(where) + detail, e);
            }
            if (e.statusCode() == 301 || "PermanentRedirect".equals(code) || "AuthorizationHeaderMalformed".equals(code)
                    || "IllegalLocationConstraintException".equals(code)) {
                String actual = e.awsErrorDetails() == null ? null : e.awsErrorDetails().sdkHttpResponse()
                        .firstMatchingHeader("x-amz-bucket-region").orElse(null);
                return StorageException.unavailable("cannot " + action + " " + uri + ": bucket '" + where.bucket()
                        + "' is " + (actual == null ? "in another region" : "in region " + actual)
                        + " but the store is configured for " + where.region()
                        + "; set ?region= or AWS_REGION" + detail, e);
            }
            if (e.statusCode() == 403 || "AccessDenied".equals(code) || "InvalidAccessKeyId".equals(code)
                    || "SignatureDoesNotMatch".equals(code)) {
                return StorageException.unavailable("cannot " + action + " " + uri + ": access denied; check the "
                        + "credentials of the SDK's default chain (environment, profile, web identity) and the "
                        + "bucket policy" + detail, e);
            }
            return StorageException.unavailable("cannot " + action + " " + uri + detail, e);
        }
        if (failure instanceof SdkClientException && String.valueOf(failure.getMessage())
                .startsWith("Unable to load credentials")) {
            return StorageException.unavailable("cannot " + action + " " + uri + ": no credentials found; set "
                    + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or web identity (IRSA / workload "
                    + "identity) for this process", failure);
        }
        if (failure instanceof SdkClientException) {
            return StorageException.unavailable("cannot " + action + " " + uri + ": " + endpoint(where)
                    + " is unreachable or did not answer (" + rootCause(failure) + ")", failure);
        }
        return StorageException.unavailable("cannot " + action + " " + uri + ": " + failure.getClass().getSimpleName(),
                failure);
    }

    private static String endpoint(S3Location where) {
        return where.endpoint().map(Object::toString).orElse("the AWS S3 endpoint of " + where.region());
    }

    private static String code(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    private static String rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
    }
}
