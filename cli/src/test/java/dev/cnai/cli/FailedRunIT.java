package dev.cnai.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cnai.cli.command.CommandLines;
import dev.cnai.events.EventCodec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failed run is debuggable from the console (issue 16): {@code cnai local --once} on a file that is no dataset
 * prints the failing step and reason, the id of the {@code pipeline.failed} event, and its summary line carries them
 * with the run's energy; the real stack (broker and five functions) runs it.
 */
class FailedRunIT {
    @TempDir
    Path home;

    @Test
    void aFailedRunNamesItsStepReasonAndEventAndItsSummaryCarriesThem() throws Exception {
        Path bad = Files.writeString(home.resolve("bad.csv"), "a,b,label\n1,2,x\nfoo\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CommandLines.execute(Cnai.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), () -> null), "local", "--once", "--repo",
                EndToEnd.repo().toString(), "--home", home.resolve("site").toString(), "--dataset", bad.toString(),
                "--port-base", String.valueOf(EndToEnd.portBase()));
        String console = out.toString(StandardCharsets.UTF_8);
        assertEquals(1, code, console + err);
        assertTrue(console.contains("FAILED     in preprocess: "), console);
        String[] lines = console.strip().split("\n");
        JsonNode summary = EventCodec.mapper().readTree(lines[lines.length - 1]);
        assertEquals("failed", summary.path("status").asText(), summary.toString());
        assertEquals("preprocess", summary.path("failed_step").asText(), summary.toString());
        String eventId = summary.path("failed_event_id").asText();
        assertTrue(eventId.endsWith("/pipeline.failed") && console.contains("event " + eventId
                + " (dev.cnai.pipeline.failed)"), console);
        assertTrue(summary.path("reason").asText().contains(bad.toString()), summary.toString());
        assertTrue(summary.has("energy_joules") && summary.path("energy_joules").asDouble() >= 0, summary.toString());
        assertTrue(console.contains("energy     "), console);
    }
}
