package dev.cnai.data;

import dev.cnai.storage.Digests;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Compact, byte-deterministic binary encoding of a {@link Dataset}, little-endian:
 * <pre>
 * 8 bytes  magic "CNAISHD1"
 * int32    version (1)
 * int32    rows
 * int32    features
 * int32    classes
 * labels   rows x uint8 when classes &lt;= 256, else rows x int32
 * features rows x features x float32 (row-major)
 * </pre>
 * Nothing follows the features; the total length is exact.
 */
public final class ShardCodec {
    static final byte[] MAGIC = "CNAISHD1".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int HEADER = MAGIC.length + 16;

    private ShardCodec() {
    }

    /**
     * Encodes a dataset.
     *
     * @throws DatasetException (INVALID_INPUT) when the shape is inconsistent or a label is outside [0, classes)
     */
    public static byte[] encode(Dataset d) {
        if (d == null || d.x() == null || d.y() == null) {
            throw DatasetException.invalid("cannot encode a null dataset");
        }
        int rows = d.rows();
        if (d.features() < 1 || d.classes() < 1) {
            throw DatasetException.invalid("cannot encode a dataset with " + d.features() + " features and " + d.classes()
                    + " classes; both must be at least 1");
        }
        if (d.x().length != (long) rows * d.features()) {
            throw DatasetException.invalid("cannot encode: x holds " + d.x().length + " values but " + rows + " rows x "
                    + d.features() + " features need " + (long) rows * d.features());
        }
        long size = length(rows, d.features(), d.classes());
        if (size > Integer.MAX_VALUE - 8) {
            throw DatasetException.invalid("cannot encode " + rows + " rows x " + d.features()
                    + " features in one shard (over 2 GiB); use more shards");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putInt(rows).putInt(d.features()).putInt(d.classes());
        boolean small = d.classes() <= 256;
        int[] y = d.y();
        for (int r = 0; r < rows; r++) {
            if (y[r] < 0 || y[r] >= d.classes()) {
                throw DatasetException.invalid("cannot encode: row " + r + " has label " + y[r] + ", outside [0, "
                        + d.classes() + ")");
            }
            if (small) {
                b.put((byte) y[r]);
            } else {
                b.putInt(y[r]);
            }
        }
        b.asFloatBuffer().put(d.x());
        return b.array();
    }

    /**
     * Decodes bytes written by {@link #encode}.
     *
     * @throws DatasetException (INTEGRITY) when the bytes are truncated, garbled, of another version, or
     *                          hold a label outside [0, classes)
     */
    public static Dataset decode(byte[] bytes) {
        if (bytes == null) {
            throw DatasetException.corrupt("no bytes given");
        }
        if (bytes.length < HEADER) {
            throw DatasetException.corrupt("only " + bytes.length + " bytes, shorter than the " + HEADER + "-byte header");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < MAGIC.length; i++) {
            if (b.get() != MAGIC[i]) {
                throw DatasetException.corrupt("they do not start with the magic \"CNAISHD1\" (not a CNAI shard)");
            }
        }
        int version = b.getInt();
        if (version != VERSION) {
            throw DatasetException.corrupt("format version " + version + " is not supported (this reader knows version "
                    + VERSION + ")");
        }
        int rows = b.getInt();
        int features = b.getInt();
        int classes = b.getInt();
        if (rows < 0 || features < 1 || classes < 1) {
            throw DatasetException.corrupt("header says " + rows + " rows, " + features + " features, " + classes
                    + " classes; rows must be >= 0 and features and classes >= 1");
        }
        long expected = length(rows, features, classes);
        if (bytes.length != expected) {
            throw DatasetException.corrupt((bytes.length < expected ? "truncated: " : "trailing bytes: ") + bytes.length
                    + " bytes but the header (" + rows + " rows x " + features + " features, " + classes
                    + " classes) needs exactly " + expected);
        }
        int[] y = new int[rows];
        boolean small = classes <= 256;
        for (int r = 0; r < rows; r++) {
            int label = small ? b.get() & 0xff : b.getInt();
            if (label >= classes || label < 0) {
                throw DatasetException.corrupt("row " + r + " has label " + label + ", outside [0, " + classes + ")");
            }
            y[r] = label;
        }
        float[] x = new float[rows * features];
        b.asFloatBuffer().get(x);
        return new Dataset(features, classes, x, y);
    }

    /** {@code sha256:<hex>} of the encoded dataset; equal datasets have equal digests. */
    public static String digest(Dataset d) {
        return Digests.sha256(encode(d));
    }

    private static long length(int rows, int features, int classes) {
        long labelBytes = classes <= 256 ? 1 : 4;
        return HEADER + rows * labelBytes + (long) rows * features * 4;
    }
}
