package dev.cnai.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.errors.ErrorKind;
import dev.cnai.storage.ObjectStore;
import dev.cnai.storage.ObjectStores;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnergyLedgerTest {
    @TempDir
    Path root;

    private static StepEnergy step(String id, long at, double joules) {
        return new StepEnergy("run-1", "train-shard", "dev.cnai.shard.assigned", id, 2, 1, at, 0.5, joules / 3.5,
                joules, EnergySource.ESTIMATE, "estimate");
    }

    @Test
    void oneRecordPerFunctionAndEventFirstWins() {
        ObjectStore store = ObjectStores.open(root.toString());
        EnergyLedger ledger = new EnergyLedger(store);
        assertTrue(ledger.record(step("run-1/round-2/shard-1/shard.assigned", 20, 7.0)));
        assertFalse(ledger.record(step("run-1/round-2/shard-1/shard.assigned", 30, 0.1)), "a redelivery adds nothing");
        assertTrue(ledger.record(step("run-1/round-2/shard-0/shard.assigned", 10, 3.5)));
        List<StepEnergy> all = ledger.list("run-1");
        assertEquals(2, all.size());
        assertEquals(10, all.get(0).startedAtMillis(), "sorted by start");
        assertEquals(10.5, all.stream().mapToDouble(StepEnergy::joules).sum(), 1e-9);
        assertEquals(List.of(), ledger.list("other-run"));
        assertEquals("runs/run-1/energy/train-shard/run-1_round-2_shard-1_shard.assigned.json",
                EnergyLedger.key("run-1", "train-shard", "run-1/round-2/shard-1/shard.assigned"));
    }

    @Test
    void anyEventIdMakesAValidKey() {
        assertEquals("_..", EnergyLedger.safe(".."));
        assertEquals("a_b_c", EnergyLedger.safe("a/b c"));
        assertTrue(EnergyLedger.safe("x".repeat(500)).length() < 200);
        ObjectStore store = ObjectStores.open(root.toString());
        assertTrue(new EnergyLedger(store).record(step("../../etc/é?", 1, 1)));
    }

    @Test
    void wattsPerCoreMustBePositive() {
        EnergyException e = assertThrows(EnergyException.class, () -> EnergyConfig.defaults().withWattsPerCore(0));
        assertEquals(ErrorKind.INVALID_INPUT, e.kind());
        assertEquals(EnergyConfig.DEFAULT_WATTS_PER_CORE, EnergyConfig.defaults().wattsPerCore());
    }
}
