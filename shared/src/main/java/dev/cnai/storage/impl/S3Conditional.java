package dev.cnai.storage.impl;

import dev.cnai.storage.Digests;
import dev.cnai.storage.StorageException;
import java.util.UUID;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Whether the server honours {@code If-None-Match: *}, found out once per store and per kind of write (a plain PUT;
 * the completion of a multipart upload) by creating a probe object twice: a server that honours it refuses the
 * second (412); one that ignores the header overwrites silently, and then every conditional create of that kind
 * fails with a clear error rather than race. A probe cannot prove atomicity under concurrency (a server may check,
 * then write): that is the server's promise (docs/storage.md lists which keep it).
 */
final class S3Conditional {
    /** Keys the probes use, under the store's prefix; never listed. */
    static final String PROBE_DIR = ".cnai-probe/";

    private final S3Client s3;
    private final S3Location where;
    private volatile Boolean put;
    private volatile Boolean complete;

    S3Conditional(S3Client s3, S3Location where) {
        this.s3 = s3;
        this.where = where;
    }

    /** Throws unless a conditional create of an object of this size is known to be honoured. */
    void require(long size) {
        boolean multipart = size > where.multipartThreshold();
        Boolean known = multipart ? complete : put;
        if (known == null) {
            synchronized (this) {
                known = multipart ? complete : put;
                if (known == null) {
                    known = probe(multipart);
                    if (multipart) {
                        complete = known;
                    } else {
                        put = known;
                    }
                }
            }
        }
        if (!known) {
            throw unsupported(multipart, "overwrote an existing object despite If-None-Match: *");
        }
    }

    /** Records a server's 501 NotImplemented answer to a conditional write and returns the error to throw. */
    StorageException notImplemented(long size, S3Exception e) {
        boolean multipart = size > where.multipartThreshold();
        if (multipart) {
            complete = false;
        } else {
            put = false;
        }
        return unsupported(multipart, "answered " + e.statusCode() + " NotImplemented to If-None-Match: *");
    }

    private boolean probe(boolean multipart) {
        String k = where.prefix() + PROBE_DIR + UUID.randomUUID();
        byte[] probe = new byte[1];
        String digest = Digests.sha256(probe);
        String uri = "s3://" + where.bucket() + "/" + k;
        try {
            try {
                create(k, probe, digest, multipart);
            } catch (S3Exception e) {
                // a 412 on a fresh random key is this probe's own first attempt, which landed while its answer was
                // lost (a stale pooled connection) and the SDK retried: the object exists, which is all we need
                if (!S3Errors.preconditionFailed(e)) {
                    throw e;
                }
            }
            try {
                create(k, probe, digest, multipart);
                return false;
            } catch (S3Exception e) {
                if (S3Errors.preconditionFailed(e)) {
                    return true;
                }
                throw e;
            }
        } catch (S3Exception e) {
            if (S3Errors.notImplemented(e)) {
                return false;
            }
            throw S3Errors.map("probe conditional writes at", uri, where, e);
        } catch (SdkException e) {
            throw S3Errors.map("probe conditional writes at", uri, where, e);
        } finally {
            try {
                s3.deleteObject(b -> b.bucket(where.bucket()).key(k));
            } catch (SdkException ignored) {
                // the probe object is one byte and never listed
            }
        }
    }

    private void create(String k, byte[] data, String digest, boolean multipart) {
        if (multipart) {
            S3Multipart.upload(s3, where, k, data, S3ObjectStore.metadata(digest), true);
        } else {
            s3.putObject(PutObjectRequest.builder().bucket(where.bucket()).key(k).ifNoneMatch("*")
                    .contentLength((long) data.length).build(), RequestBody.fromBytes(data));
        }
    }

    private StorageException unsupported(boolean multipart, String what) {
        return StorageException.badConfig(where.root(), "the server "
                + (multipart ? "(completing a multipart upload) " : "") + what + ", so putIfAbsent cannot be atomic "
                + "here; use a server with conditional writes (AWS S3, MinIO, Ceph RGW, …)"
                + (multipart ? ", raise ?multipartThreshold= above the object size" : "")
                + " or, where this process is the only writer under the prefix, ?putIfAbsent=single-writer "
                + "(see docs/storage.md)");
    }
}
