package dev.cnai.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads the standard IDX ubyte files (the original MNIST distribution format): images with magic
 * {@code 0x00000803} (n x rows x cols; {@code 0x00000802}, n x features, is accepted too) and labels
 * with magic {@code 0x00000801}. Gzipped files are detected by content.
 */
final class IdxReader {
    /** IDX label files hold MNIST-family digit labels: never fewer than ten classes. */
    static final int MIN_CLASSES = 10;
    private static final float[] SCALE = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            SCALE[i] = i / 255f;
        }
    }

    private IdxReader() {
    }

    static Dataset read(Path images, Path labels, Integer limit, DatasetLimits limits) {
        int n;
        int features;
        float[] x;
        try (DataInputStream in = new DataInputStream(Sources.open(images, limits))) {
            int magic = in.readInt();
            int type = (magic >>> 8) & 0xff;
            int dims = magic & 0xff;
            if ((magic >>> 16) != 0 || type != 0x08 || dims < 2) {
                throw DatasetException.malformed("IDX images file " + images, String.format(
                        "magic number 0x%08x is not an unsigned-byte image file; expected 0x00000803 (n x rows x cols)"
                                + " or 0x00000802 (n x features)%s", magic, labelsHint(magic)));
            }
            n = in.readInt();
            long f = 1;
            StringBuilder shape = new StringBuilder().append(n);
            for (int d = 1; d < dims; d++) {
                int size = in.readInt();
                if (size <= 0) {
                    throw DatasetException.malformed("IDX images file " + images, "dimension " + d + " is " + size
                            + "; every dimension must be positive");
                }
                f *= size;
                shape.append('x').append(size);
            }
            if (n < 0 || f > Integer.MAX_VALUE) {
                throw DatasetException.malformed("IDX images file " + images, "header shape " + shape + " is not usable");
            }
            features = (int) f;
            int rows = limit == null ? n : Math.min(n, limit);
            if ((long) rows * features > Integer.MAX_VALUE - 8) {
                throw DatasetException.invalid("IDX images file " + images + " holds " + shape
                        + " values, too many for one in-memory dataset; set a smaller limit in the dataset spec");
            }
            limits.checkRows("IDX images file " + images + (rows < n ? " (first " + rows + " rows)" : ""), rows);
            limits.checkBytes("IDX images file " + images + " (header " + shape + ", decompressed)",
                    (long) rows * features);
            byte[] raw = new byte[rows * features];
            try {
                in.readFully(raw);
            } catch (EOFException e) {
                throw DatasetException.malformed("IDX images file " + images, "is truncated: the header promises "
                        + shape + " pixels but the file ends early");
            }
            x = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                x[i] = SCALE[raw[i] & 0xff];
            }
            n = rows;
        } catch (EOFException e) {
            throw DatasetException.malformed("IDX images file " + images, "is truncated inside its header");
        } catch (IOException e) {
            throw DatasetException.unreadable("IDX images file " + images, e);
        }

        int[] y = new int[n];
        int maxLabel = -1;
        try (DataInputStream in = new DataInputStream(Sources.open(labels, limits))) {
            int magic = in.readInt();
            if (magic != 0x00000801) {
                throw DatasetException.malformed("IDX labels file " + labels, String.format(
                        "magic number 0x%08x is not a label file; expected 0x00000801 (unsigned bytes, one dimension)%s",
                        magic, magic == 0x00000803 ? " (this looks like an images file: are uri and labelsUri swapped?)" : ""));
            }
            int count = in.readInt();
            if (count < n || (limit == null && count != n)) {
                throw DatasetException.malformed("IDX labels file " + labels, "holds " + count + " labels but the images file "
                        + images + " holds " + (limit == null ? n : "at least " + n) + " images; they must match");
            }
            byte[] raw = new byte[n];
            try {
                in.readFully(raw);
            } catch (EOFException e) {
                throw DatasetException.malformed("IDX labels file " + labels, "is truncated: the header promises " + count
                        + " labels but the file ends early");
            }
            for (int i = 0; i < n; i++) {
                y[i] = raw[i] & 0xff;
                maxLabel = Math.max(maxLabel, y[i]);
            }
        } catch (EOFException e) {
            throw DatasetException.malformed("IDX labels file " + labels, "is truncated inside its header");
        } catch (IOException e) {
            throw DatasetException.unreadable("IDX labels file " + labels, e);
        }
        return new Dataset(features, Math.max(MIN_CLASSES, maxLabel + 1), x, y);
    }

    private static String labelsHint(int magic) {
        return magic == 0x00000801 ? " (this looks like a labels file: are uri and labelsUri swapped?)" : "";
    }
}
