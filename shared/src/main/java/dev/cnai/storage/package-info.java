/**
 * The object store the steps keep their state in: {@link ObjectStore} (get, put, create-if-absent), opened by
 * {@link ObjectStores} from a location ({@code file://} or {@code s3://}), and {@link ArtifactRef}, the claim check
 * ({@code {uri, digest, size}}) events carry. The store re-hashes what it reads and refuses a digest mismatch
 * ({@code INTEGRITY}); writes are atomic, so a crash never leaves a half-written object under a key.
 */
package dev.cnai.storage;
