/**
 * Internal: not API; may change. The object-store backends behind {@link dev.cnai.storage.ObjectStores}:
 * {@link FileObjectStore}, objects as files under a root directory, written through a temporary file that is
 * forced to disk and then renamed (put) or hard-linked (create-if-absent) into place.
 */
package dev.cnai.storage.impl;
