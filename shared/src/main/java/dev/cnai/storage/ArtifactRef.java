package dev.cnai.storage;

/**
 * A claim-check reference carried in events: where the bytes are, their digest and size.
 *
 * @param uri    absolute URI of the object (file:///..., s3://bucket/key)
 * @param digest {@code sha256:<hex>} of the bytes
 * @param size   size in bytes
 */
public record ArtifactRef(String uri, String digest, long size) {
}
