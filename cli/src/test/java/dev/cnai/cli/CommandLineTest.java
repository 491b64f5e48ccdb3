package dev.cnai.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.cli.models.ModelsCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The {@code cnai} command line: generated help, usage errors answered in a line with exit status 2. */
class CommandLineTest {

    record Result(int status, String out, String err) {
    }

    static Result cnai(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = dev.cnai.cli.command.CommandLines.execute(Cnai.commandLine(new PrintStream(out, true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), () -> {
                    throw new AssertionError("no Knative here");
                }), args);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpIsGeneratedFromTheOptions() {
        Result top = cnai("--help");
        assertEquals(0, top.status());
        assertTrue(top.out().contains("local") && top.out().contains("models") && top.out().contains("soak"),
                top.out());
        Result local = cnai("local", "--help");
        assertEquals(0, local.status());
        for (String option : new String[] {"--dataset PATH", "--once", "--rounds N", "--hidden W[,W]", "--lr X",
            "--lr-decay X", "--min-accuracy X", "--home DIR", "--port-base P", "--timeout DURATION", "--repo DIR"}) {
            assertTrue(local.out().contains(option), option + " in:\n" + local.out());
        }
        assertTrue(local.out().contains("(default PT30M)"), local.out());
        Result soak = cnai("soak", "--help");
        assertTrue(soak.out().contains("--warm-up N") && soak.out().contains("--no-heap")
                && soak.out().contains("(default 20)"), soak.out());
        Result models = cnai("models", "--help");
        assertTrue(models.out().contains("rollback") && models.out().contains("--registry LOCATION"), models.out());
        Result promote = cnai("models", "promote", "--help");
        assertTrue(promote.out().contains("VERSION") && promote.out().contains("--alias NAME")
                && promote.out().contains("--knative NS/SERVICE"), promote.out());
    }

    @Test
    void noCommandOrAnUnknownOnePrintsUsageAndExitsTwo() {
        Result none = cnai();
        assertEquals(2, none.status());
        assertTrue(none.err().contains("local") && none.err().contains("models"), none.err());
        Result unknown = cnai("train");
        assertEquals(2, unknown.status());
        assertEquals("unknown command 'train': cnai takes one of local, models, soak, report\n", unknown.err());
    }

    @Test
    void unknownOptionsNameTheCloseOnes() {
        Result typo = cnai("local", "--dataset", "d.tgz", "--epoch", "2");
        assertEquals(2, typo.status());
        assertTrue(typo.err().startsWith("unknown option --epoch; did you mean --epochs"), typo.err());
        assertTrue(typo.err().contains("cnai local --help"), typo.err());
        Result soak = cnai("soak", "--bogus", "1");
        assertEquals(2, soak.status());
        assertTrue(soak.err().startsWith("unknown option --bogus"), soak.err());
        Result models = cnai("models", "list", "--registery", "x");
        assertEquals(2, models.status());
        assertTrue(models.err().startsWith("unknown option --registery; did you mean --registry"), models.err());
    }

    @Test
    void valuesAreCheckedWhileParsing() {
        assertEquals("--timeout needs an ISO-8601 duration such as PT30M (30 minutes) or PT30S, got '30m'",
                assertThrows(IllegalArgumentException.class, () -> Cnai.parse("--timeout", "30m")).getMessage());
        assertEquals("--hidden needs a whole number, got 'x'",
                assertThrows(IllegalArgumentException.class, () -> Cnai.parse("--hidden", "64,x")).getMessage());
        assertEquals("--lr needs a number, got 'fast'",
                assertThrows(IllegalArgumentException.class, () -> Cnai.parse("--lr", "fast")).getMessage());
        Result soak = cnai("soak", "--dataset", "d.tgz", "--runs", "0");
        assertEquals(2, soak.status());
        assertEquals("--runs needs a positive whole number, got '0'\n", soak.err());
        assertEquals(2, cnai("soak", "--runs", "3").status(), "--dataset is required");
        assertEquals(2, cnai("soak", "--dataset", "d.tgz", "--rate", "501").status());
    }

    @Test
    void defaultsAndTheLastOfARepeatedOption() {
        LocalCommand o = Cnai.parse("--dataset", "a.tgz", "--rounds", "3", "--rounds", "4");
        assertEquals(4, o.run.rounds);
        assertEquals(Duration.ofMinutes(30), o.timeout);
        assertEquals(8080, o.portBase);
        assertEquals(".cnai", o.home);
        Soak s = Soak.parse(new String[] {"--hidden", "64,32"});
        assertEquals(java.util.List.of(64, 32), s.hidden);
        assertEquals(SoakReport.DEFAULT_WARM_UP_RUNS, s.warmUp);
        assertEquals(Duration.ofMinutes(5), s.runTimeout);
    }

    @Test
    void repoFallsBackToTheSystemProperty() {
        String before = System.getProperty("cnai.repo");
        try {
            System.setProperty("cnai.repo", "/opt/cnai");
            assertEquals("/opt/cnai", Cnai.parse("--dataset", "d.tgz").repo.repo);
            assertEquals("/src", Cnai.parse("--dataset", "d.tgz", "--repo", "/src").repo.repo);
            System.clearProperty("cnai.repo");
            assertEquals(".", Cnai.parse("--dataset", "d.tgz").repo.repo);
        } finally {
            if (before == null) {
                System.clearProperty("cnai.repo");
            } else {
                System.setProperty("cnai.repo", before);
            }
        }
    }

    @Test
    void modelsVerbsCheckTheirArguments() {
        Result none = cnai("models");
        assertEquals(2, none.status());
        assertTrue(none.err().contains("promote"), none.err());
        Result verb = cnai("models", "frobnicate");
        assertEquals(2, verb.status());
        assertTrue(verb.err().startsWith("unknown command 'frobnicate': cnai models takes one of list, inspect,"),
                verb.err());
        Result missing = cnai("models", "promote");
        assertEquals(2, missing.status());
        assertTrue(missing.err().startsWith("cnai models promote needs VERSION"), missing.err());
        Result extra = cnai("models", "delete", "v1", "v2");
        assertEquals(2, extra.status());
        assertTrue(extra.err().startsWith("unexpected argument 'v2'"), extra.err());
        assertEquals(2, cnai("models", "compare", "v1").status());
        assertEquals(2, ModelsCommand.run(new String[] {"list", "--model"}, System.out, System.err));
    }

    @Test
    void aBadStoreIsAUsageErrorBeforeAnythingStarts() {
        Result bad = cnai("local", "--once", "--dataset", "d.tgz", "--store", "s3://bucket/p?bogus=1");
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("--store: ") && bad.err().contains("unknown option 'bogus'"), bad.err());
        Result scheme = cnai("local", "--once", "--dataset", "d.tgz", "--store", "gs://bucket/p");
        assertEquals(2, scheme.status());
        assertTrue(scheme.err().contains("--store: "), scheme.err());
    }
}
