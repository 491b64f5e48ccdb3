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
}
