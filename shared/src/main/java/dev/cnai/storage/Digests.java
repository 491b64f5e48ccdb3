package dev.cnai.storage;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** OCI-style digests: {@code sha256:<64 hex>}. */
public final class Digests {
    private Digests() {
    }

    public static String sha256(byte[] data) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the JDK", e);
        }
    }

    public static boolean isSha256(String digest) {
        return digest != null && digest.matches("sha256:[0-9a-f]{64}");
    }

    /**
     * {@code data} if its sha256 is the digest {@code ref} claims; never returns tampered bytes.
     *
     * @throws StorageException INTEGRITY naming the URI and both digests
     */
    public static byte[] verified(ArtifactRef ref, byte[] data) {
        String actual = sha256(data);
        if (!actual.equals(ref.digest())) {
            throw StorageException.digestMismatch(ref.uri(), ref.digest(), actual);
        }
        return data;
    }
}
