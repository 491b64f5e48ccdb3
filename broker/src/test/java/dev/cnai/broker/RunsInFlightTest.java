package dev.cnai.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RunsInFlightTest {

    @Test
    void countsRunsFromTheirFirstPipelineEventToTheirEnd() {
        RunsInFlight runs = new RunsInFlight(100);
        runs.observe("dev.cnai.dataset.prepared", "a");
        runs.observe("dev.cnai.shard.assigned", "a");
        runs.observe("dev.cnai.shard.trained", "b"); // a broker restarted mid-run still counts it
        runs.observe("dev.cnai.dataset.prepared", null);
        runs.observe("dev.cnai.inference.requested", "c");
        runs.observe("dev.cnai.model.promoted", "d");
        assertEquals(2, runs.count());
        runs.observe("dev.cnai.model.rejected", "a");
        runs.observe("dev.cnai.model.rejected", "a");
        assertEquals(1, runs.count());
        runs.observe("dev.cnai.model.registered", "b");
        runs.observe("dev.cnai.round.completed", "b"); // late redelivery of an ended run
        assertEquals(0, runs.count());
        runs.observe("dev.cnai.pipeline.failed", "never-started");
        assertEquals(0, runs.count());
    }

    @Test
    void forgetsTheOldestRunsBeyondItsCapacity() {
        RunsInFlight runs = new RunsInFlight(2);
        runs.observe("dev.cnai.dataset.prepared", "a");
        runs.observe("dev.cnai.dataset.prepared", "b");
        runs.observe("dev.cnai.model.registered", "b");
        runs.observe("dev.cnai.dataset.prepared", "c"); // a (in flight) forgotten
        assertEquals(1, runs.count());
        runs.observe("dev.cnai.dataset.prepared", "d"); // b (ended) forgotten
        assertEquals(2, runs.count());
    }
}
