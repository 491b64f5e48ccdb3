package dev.cnai.data;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Resolves dataset URIs to local paths and opens them, un-gzipping transparently. */
final class Sources {
    private static final int BUFFER = 1 << 16;

    private Sources() {
    }

    /** A plain path or {@code file://} URI as an existing local path. */
    static Path resolve(String uri, String role) {
        if (uri == null || uri.isBlank()) {
            throw DatasetException.invalid("the dataset spec has no " + role + "; set it to a path or file:// URI");
        }
        Path path;
        try {
            if (uri.startsWith("file:")) {
                path = Path.of(URI.create(uri));
            } else if (uri.matches("^[a-zA-Z][a-zA-Z0-9+.-]+://.*")) {
                throw DatasetException.invalid("unsupported " + role + " '" + uri
                        + "': datasets are read from local paths, file:// URIs or s3://bucket/key objects");
            } else {
                path = Path.of(uri);
            }
        } catch (IllegalArgumentException e) {
            throw DatasetException.invalid("invalid " + role + " '" + uri + "': " + e.getMessage());
        }
        if (!Files.exists(path)) {
            throw DatasetException.notFound(role + " " + path.toAbsolutePath());
        }
        return path;
    }

    /**
     * Opens a file, gunzipping it when it starts with the gzip magic bytes, within {@code limits}: a file larger than
     * {@link DatasetLimits#maxBytes()} is refused before it is opened, and reading (after gunzip) fails once more than
     * that was read.
     */
    static InputStream open(Path path, DatasetLimits limits) throws IOException {
        limits.checkBytes("dataset file " + path, Files.size(path));
        return new Bounded(open(path), limits, "dataset file " + path + " (decompressed)");
    }

    /** Opens a file, gunzipping it when it starts with the gzip magic bytes. */
    static InputStream open(Path path) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(path), BUFFER);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(in, BUFFER), BUFFER);
        }
        return in;
    }

    /** A stream that refuses to deliver more than {@link DatasetLimits#maxBytes()} bytes. */
    private static final class Bounded extends FilterInputStream {
        private final DatasetLimits limits;
        private final String what;
        private long read;

        Bounded(InputStream in, DatasetLimits limits, String what) {
            super(in);
            this.limits = limits;
            this.what = what;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            // at most one byte past the limit is asked for, so the refusal comes before a larger read
            int n = super.read(buf, off, (int) Math.min(len, limits.maxBytes() + 1 - read));
            if (n > 0) {
                count(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(Math.min(n, limits.maxBytes() + 1 - read));
            count(skipped);
            return skipped;
        }

        private void count(long n) {
            read += n;
            if (read > limits.maxBytes()) {
                throw DatasetException.tooLarge(what + " holds more than " + limits.maxBytes()
                        + " bytes, over the limit (" + DatasetLimits.MAX_BYTES + "); use a smaller dataset or raise the "
                        + "limit (and preprocess's memory)");
            }
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }

    /** Deterministic Fisher-Yates shuffle in place. */
    static void shuffle(int[] a, java.util.Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
