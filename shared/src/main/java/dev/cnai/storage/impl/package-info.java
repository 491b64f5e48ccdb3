/**
 * Internal: not API; may change. The object-store backends behind {@link dev.cnai.storage.ObjectStores}:
 * {@link FileObjectStore}, objects as files under a root directory, written through a temporary file that is
 * forced to disk and then renamed (put) or hard-linked (create-if-absent) into place; {@link S3ObjectStore},
 * objects under {@code s3://bucket/prefix/} (AWS SDK v2, conditional PUT for create-if-absent, multipart above a
 * threshold), configured by {@link S3Location}.
 */
package dev.cnai.storage.impl;
