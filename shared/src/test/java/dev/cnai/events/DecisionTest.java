package dev.cnai.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cnai.storage.ArtifactRef;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The wire form of {@link Decision}: the values of {@code dev.cnai.round.completed.schema.json}. */
class DecisionTest {
    private static final ArtifactRef WEIGHTS = new ArtifactRef("file:///w", "sha256:" + "0".repeat(64), 1);

    @Test
    void jsonValuesAreTheSchemaEnum() {
        for (String wire : new String[] {"continue", "early-stop", "done"}) {
            Decision d = Decision.of(wire);
            RoundCompleted rc = new RoundCompleted("run-a", 1, 3, 0.5, 0.4, 0.9, d, 10, WEIGHTS);
            byte[] json = EventCodec.encode(rc);
            String text = new String(json, StandardCharsets.UTF_8);
            assertEquals(true, text.contains("\"decision\":\"" + wire + "\""), text);
            assertEquals(rc, EventCodec.decode(EventTypes.ROUND_COMPLETED, json), "validated and bound back");
        }
    }

    @Test
    void unknownValuesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Decision.of("stop"));
        byte[] bad = ("{\"runId\":\"run-a\",\"round\":1,\"decision\":\"stop\",\"weights\":"
                + "{\"uri\":\"file:///w\",\"digest\":\"sha256:" + "0".repeat(64) + "\",\"size\":1}}")
                .getBytes(StandardCharsets.UTF_8);
        assertThrows(RuntimeException.class, () -> EventCodec.decode(EventTypes.ROUND_COMPLETED, bad));
    }
}
