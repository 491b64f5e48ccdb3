package dev.cnai.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.energy.StepEnergy;
import dev.cnai.pipeline.RunRecords;
import dev.cnai.storage.ObjectStore;
import dev.cnai.storage.ObjectStores;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page of a recorded small run: the JSON records a real {@code scripts/run-local.sh --once --limit 2000 --rounds 3
 * --run-id rep-3} left in its store ({@code src/test/resources/report-run}; data splits, weights and the ONNX file
 * left out, the report reads none of them).
 */
class ReportPageTest {
    static final String RUN = "rep-3";

    @TempDir
    Path dir;

    /** A writable copy of the recorded store. */
    static Path recordedStore(Path dir) throws IOException, URISyntaxException {
        Path src = Path.of(ReportPageTest.class.getResource("/report-run").toURI());
        Path dst = dir.resolve("store");
        try (Stream<Path> files = Files.walk(src)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path t = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        return dst;
    }

    @Test
    void everySectionIsDrawnFromTheRecords() throws Exception {
        ObjectStore store = ObjectStores.open(recordedStore(dir).toString());
        String html = ReportPage.render(RunReport.load(store, RUN, null));
        for (String id : new String[] {"curves", "shards", "confusion", "classes", "times", "energy", "lineage"}) {
            assertTrue(html.contains("id=\"" + id + "\""), id);
        }
        assertEquals(100, count(html, "<rect class=\"cell\""), "10 x 10 MNIST classes");
        assertTrue(html.contains("early stop") || html.contains("best round 3"), "the chosen round is marked");
        assertTrue(html.contains("data-name=\"train (sample)\""), "train accuracy is drawn");
        assertFalse(html.contains("recorded before it existed"));
        assertFalse(html.contains("<script"), "no script in the page");
        assertFalse(html.contains("src=") || html.contains("href=") || html.contains("url("), "nothing to fetch");
        assertTrue(html.contains("default-src 'none'"), "and the page forbids fetching anything");
        assertTrue(html.contains("estimated from CPU time, not measured"));
        // the total on the page is the sum of the run's energy records
        double total = new RunRecords(store, RUN).energy().stream().mapToDouble(StepEnergy::joules).sum();
        assertTrue(total > 0);
        assertTrue(html.contains("Total <b>" + String.format(Locale.ROOT, "%.1f", total) + " J</b>"), html);
        assertTrue(html.contains("registry reference</th><td class=\"l\">oci-layout:"));
    }

    @Test
    void missingRecordsSayNotRecordedInsteadOfFailing() throws Exception {
        Path root = recordedStore(dir);
        Path run = root.resolve("runs").resolve(RUN);
        Files.delete(run.resolve("model/evaluated.json"));
        Files.delete(run.resolve("registration.json"));
        try (Stream<Path> energy = Files.walk(run.resolve("energy"))) {
            energy.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        String html = ReportPage.render(RunReport.load(ObjectStores.open(root.toString()), RUN, null));
        assertTrue(html.contains("test metrics: not recorded"));
        assertTrue(html.contains("per-class metrics: not recorded"));
        assertTrue(html.contains("energy: not recorded"));
        assertTrue(html.contains("time per step: not recorded"));
        assertTrue(html.contains("id=\"curves\""), "what is recorded is still drawn");
        assertEquals(0, count(html, "<rect class=\"cell\""));
    }

    @Test
    void roundResultsRecordedBeforeTrainAccuracyExistedStillRender() throws Exception {
        Path root = recordedStore(dir);
        try (Stream<Path> files = Files.walk(root.resolve("runs").resolve(RUN).resolve("rounds"))) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (p.getFileName().toString().equals("result.json")) {
                    String json = Files.readString(p);
                    String old = json.replaceAll(",\"trainAccuracy\":[0-9.Ee-]+", "");
                    assertTrue(old.length() < json.length(), "the record had the field");
                    Files.writeString(p, old);
                }
            }
        }
        String html = ReportPage.render(RunReport.load(ObjectStores.open(root.toString()), RUN, null));
        assertTrue(html.contains("not recorded for 3 of the rounds"), "an older run's page says so");
        assertFalse(html.contains("data-name=\"train (sample)\""));
        assertTrue(html.contains("data-name=\"validation\""));
    }

    @Test
    void anUnknownRunIsAPageThatSaysSo() throws Exception {
        RunReport r = RunReport.load(ObjectStores.open(dir.resolve("empty").toString()), "<no&run>", null);
        assertTrue(r.isEmpty());
        String html = ReportPage.render(r);
        assertTrue(html.contains("nothing is recorded for this run"));
        assertTrue(html.contains("&lt;no&amp;run&gt;"), "the run id is escaped");
    }

    @Test
    void oneRoundRendersItsCurvesAsPoints() throws Exception {
        Path root = recordedStore(dir);
        Path rounds = root.resolve("runs").resolve(RUN).resolve("rounds");
        for (String r : new String[] {"2", "3"}) {
            try (Stream<Path> files = Files.walk(rounds.resolve(r))) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        String html = ReportPage.render(RunReport.load(ObjectStores.open(root.toString()), RUN, null));
        Matcher m = Pattern.compile("<polyline class=\"series\" data-name=\"validation\"[^>]* points=\"([^\"]*)\"")
                .matcher(html);
        assertTrue(m.find(), "the validation line");
        assertTrue(m.group(1).matches("[0-9.]+,[0-9.]+"), m.group(1));
        assertFalse(html.contains("NaN"));
    }

    static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
