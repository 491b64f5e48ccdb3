package dev.cnai.storage.impl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * A multipart upload of one object: parts of {@link S3Location#partSize()}, completed in one request (the object
 * appears whole, or not at all) and aborted on any failure so that no parts linger.
 */
final class S3Multipart {
    private S3Multipart() {
    }

    /** Uploads {@code data} under {@code key}; with {@code ifNoneMatch} the completion is conditional ({@code *}). */
    static void upload(S3Client s3, S3Location where, String key, byte[] data, Map<String, String> metadata,
            boolean ifNoneMatch) {
        String uploadId = s3.createMultipartUpload(CreateMultipartUploadRequest.builder()
                .bucket(where.bucket()).key(key).metadata(metadata).build()).uploadId();
        boolean done = false;
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int partSize = (int) Math.min(where.partSize(), Integer.MAX_VALUE - 8);
            for (int off = 0, n = 1; off < data.length; off += partSize, n++) {
                byte[] part = Arrays.copyOfRange(data, off, Math.min(data.length, off + partSize));
                String etag = s3.uploadPart(UploadPartRequest.builder().bucket(where.bucket()).key(key)
                        .uploadId(uploadId).partNumber(n).contentLength((long) part.length).build(),
                        RequestBody.fromBytes(part)).eTag();
                parts.add(CompletedPart.builder().partNumber(n).eTag(etag).build());
            }
            CompleteMultipartUploadRequest.Builder complete = CompleteMultipartUploadRequest.builder()
                    .bucket(where.bucket()).key(key).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build());
            if (ifNoneMatch) {
                complete.ifNoneMatch("*");
            }
            s3.completeMultipartUpload(complete.build());
            done = true;
        } finally {
            if (!done) {
                abortQuietly(s3, where, key, uploadId);
            }
        }
    }

    private static void abortQuietly(S3Client s3, S3Location where, String key, String uploadId) {
        try {
            s3.abortMultipartUpload(AbortMultipartUploadRequest.builder()
                    .bucket(where.bucket()).key(key).uploadId(uploadId).build());
        } catch (RuntimeException ignored) {
            // best effort: a bucket lifecycle rule (AbortIncompleteMultipartUpload) removes what is left
        }
    }
}
