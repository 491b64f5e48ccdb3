package dev.cnai.broker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FilterTest {

    private final CloudEvent event = CloudEventBuilder.v1()
            .withId("1").withSource(URI.create("/cnai/preprocess")).withType("dev.cnai.dataset.prepared")
            .withSubject("run-1").withExtension("cnaitier", "gold")
            .withTime(java.time.OffsetDateTime.parse("2024-05-01T12:00:00Z")).build();

    @Test
    void emptyFilterMatchesEverything() {
        assertTrue(Filter.matches(Map.of(), event));
    }

    @Test
    void exactMatchOnContextAttributes() {
        assertTrue(Filter.matches(Map.of("type", "dev.cnai.dataset.prepared"), event));
        assertTrue(Filter.matches(Map.of("type", "dev.cnai.dataset.prepared", "source", "/cnai/preprocess",
                "subject", "run-1"), event));
        assertFalse(Filter.matches(Map.of("type", "dev.cnai.dataset"), event), "no prefix match");
        assertFalse(Filter.matches(Map.of("type", "DEV.CNAI.DATASET.PREPARED"), event), "values are case-sensitive");
        assertFalse(Filter.matches(Map.of("type", "dev.cnai.dataset.prepared", "subject", "run-2"), event),
                "all entries must match");
    }

    @Test
    void timeIsComparedInItsRfc3339Form() {
        assertTrue(Filter.matches(Map.of("time", "2024-05-01T12:00:00Z"), event));
    }

    @Test
    void extensionAttributes() {
        assertTrue(Filter.matches(Map.of("cnaitier", "gold"), event));
        assertFalse(Filter.matches(Map.of("cnaitier", "silver"), event));
        assertFalse(Filter.matches(Map.of("cnaiother", "gold"), event), "missing attribute never matches");
    }

    @Test
    void emptyValueMatchesAnyValueAsInKnative() {
        assertTrue(Filter.matches(Map.of("type", ""), event));
    }
}
