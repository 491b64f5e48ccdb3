package dev.cnai.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.cli.command.CommandLines;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cnai report RUN}: finds the store like {@code cnai local} and writes {@code <home>/reports/RUN.html}. */
class ReportCommandTest {
    @TempDir
    Path home;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int cnai(String... args) {
        return CommandLines.execute(Cnai.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), () -> null), args);
    }

    /** The recorded small run's store (see ReportPageTest) as {@code <home>/store}. */
    private void recordedStore() throws IOException, URISyntaxException {
        Path src = Path.of(getClass().getResource("/report-run").toURI());
        try (Stream<Path> files = Files.walk(src)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path t = home.resolve("store").resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    @Test
    void writesThePageIntoTheHomeAndPrintsItsLink() throws Exception {
        recordedStore();
        assertEquals(0, cnai("report", "rep-3", "--home", home.toString()), err.toString());
        Path page = home.resolve("reports/rep-3.html");
        assertTrue(Files.size(page) > 10_000);
        assertTrue(out.toString().contains("report: " + page.toUri()), out.toString());
        assertTrue(Files.readString(page).contains("id=\"energy\""));
    }

    @Test
    void anExplicitStoreAndOutputAreUsed() throws Exception {
        recordedStore();
        Path to = home.resolve("elsewhere/r.html");
        assertEquals(0, cnai("report", "rep-3", "--store", home.resolve("store").toString(), "-o", to.toString()),
                err.toString());
        assertTrue(Files.exists(to));
    }

    @Test
    void aRunWithNothingRecordedIsStatusOneWithTheReason() {
        assertEquals(1, cnai("report", "no-such-run", "--home", home.toString()));
        assertTrue(err.toString().contains("nothing is recorded for run no-such-run"), err.toString());
    }

    @Test
    void theRunIsRequired() {
        assertEquals(CommandLines.USAGE, cnai("report"));
    }
}
