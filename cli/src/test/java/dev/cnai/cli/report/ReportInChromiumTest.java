package dev.cnai.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cnai.storage.ObjectStores;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a recorded small run ({@link ReportPageTest}), opened in headless Chromium: the DOM the browser
 * built has the charts with their points and the 100 cells of MNIST's confusion matrix, and the screenshot shows
 * them (the line and cell colours are on screen). Skipped, with the reason, without Debian's {@code chromium}
 * ({@code .ci/run} installs it); {@code CNAI_CHROMIUM} names another binary. {@code -Dcnai.report.screenshot=FILE}
 * copies the screenshot there (how {@code docs/report-screenshot.png} was made).
 */
class ReportInChromiumTest {
    @TempDir
    Path dir;

    static Optional<Path> chromium() {
        String named = System.getenv("CNAI_CHROMIUM");
        if (named != null && !named.isBlank()) {
            return Optional.of(Path.of(named)).filter(Files::isExecutable);
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String d : path.split(File.pathSeparator)) {
            for (String name : new String[] {"chromium", "chromium-browser"}) {
                Path p = Path.of(d, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    private String run(Path chromium, Path profile, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", "--no-first-run", "--user-data-dir=" + profile));
        cmd.addAll(List.of(args));
        Path stdout = Files.createTempFile(dir, "chromium", ".out");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish within 120 s: " + cmd);
        }
        assertEquals(0, p.exitValue(), "chromium exit status: " + cmd);
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    @Test
    void theBrowserDrawsTheChartsOfARecordedRun() throws Exception {
        Optional<Path> chromium = chromium();
        assumeTrue(chromium.isPresent(), "chromium is not installed (apt-get install --no-install-recommends chromium; "
                + ".ci/run does) and CNAI_CHROMIUM is not set");
        Path store = ReportPageTest.recordedStore(dir);
        Path page = dir.resolve("reports").resolve(ReportPageTest.RUN + ".html");
        ReportWriter.write(ObjectStores.open(store.toString()), null, ReportPageTest.RUN, page);

        String dom = run(chromium.get(), dir.resolve("profile-dom"), "--dump-dom", page.toUri().toString());
        assertEquals(100, ReportPageTest.count(dom, "<rect class=\"cell\""), "10 x 10 confusion cells in the DOM");
        Matcher lines = Pattern.compile("<polyline class=\"series\" data-name=\"([^\"]*)\"[^>]*points=\"([^\"]*)\"")
                .matcher(dom);
        List<String> drawn = new ArrayList<>();
        while (lines.find()) {
            assertTrue(lines.group(2).matches("[0-9.]+,[0-9.]+( [0-9.]+,[0-9.]+)*"), lines.group(0));
            if (lines.group(2).split(" ").length == 3) {
                drawn.add(lines.group(1));
            }
        }
        assertTrue(drawn.containsAll(List.of("train (shards, during local epochs)", "validation", "mean")),
                "loss, accuracy and shard-mean lines with one point per round (3): " + drawn);
        Matcher ranges = Pattern.compile("<path class=\"range\" d=\"M[0-9.]+,[0-9.]+ L").matcher(dom);
        int spread = 0;
        while (ranges.find()) {
            spread++;
        }
        assertEquals(3, spread, "one shard-loss range per round");
        assertTrue(ReportPageTest.count(dom, "<rect class=\"bar\"") >= 8, "time and energy bars");

        Path png = dir.resolve("report.png");
        run(chromium.get(), dir.resolve("profile-shot"), "--screenshot=" + png, "--window-size=1240,3900",
                page.toUri().toString());
        assertTrue(Files.size(png) > 10_000, "a screenshot was written: " + Files.size(png) + " bytes");
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1240, img.getWidth());
        assertTrue(pixelsNear(img, 0x1f77b4) > 500, "the blue series are painted");
        assertTrue(pixelsNear(img, 0xd62728) > 300, "the red series are painted");
        assertTrue(pixelsNear(img, 0x2ca02c) > 2_000, "the confusion matrix's darkest diagonal cells are painted");
        String keep = System.getProperty("cnai.report.screenshot");
        if (keep != null && !keep.isBlank()) {
            Files.copy(png, Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Pixels within a small distance of an RGB colour. */
    static long pixelsNear(BufferedImage img, int rgb) {
        long n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                int dr = ((p >> 16) & 0xff) - ((rgb >> 16) & 0xff);
                int dg = ((p >> 8) & 0xff) - ((rgb >> 8) & 0xff);
                int db = (p & 0xff) - (rgb & 0xff);
                if (dr * dr + dg * dg + db * db < 30 * 30) {
                    n++;
                }
            }
        }
        return n;
    }

    static {
        System.setProperty("java.awt.headless", "true");
    }
}
