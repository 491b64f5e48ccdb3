package dev.cnai.training;

import static dev.cnai.testing.Configs.arch;
import dev.cnai.training.Architecture;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cnai.errors.ErrorKind;
import java.util.List;
import org.junit.jupiter.api.Test;

class FedAvgTest {

    private static Weights w(float... values) {
        return new Weights(List.of(new Tensor("W0", new int[] {1, 2}, new float[] {values[0], values[1]}),
                new Tensor("b0", new int[] {1}, new float[] {values[2]})));
    }

    @Test
    void weightedAverageIsExact() {
        Weights avg = FedAvg.average(List.of(w(1, 2, 10), w(3, 4, -2), w(100, 100, 100)), List.of(1, 3, 0));
        assertArrayEquals(new float[] {2.5f, 3.5f}, avg.get("W0").data());
        assertArrayEquals(new float[] {1f}, avg.get("b0").data());
        assertArrayEquals(new int[] {1, 2}, avg.get("W0").shape());
        Weights single = w(0.1f, 0.2f, 0.3f);
        assertEquals(single, FedAvg.average(List.of(single), List.of(17)));
    }

    @Test
    void averageOfEqualUpdatesIsTheUpdate() {
        Weights a = arch("mlp", List.of(5)).initialize(4, 3, 9);
        assertArrayEquals(a.encode(), FedAvg.average(List.of(a, a, a), List.of(7, 11, 13)).encode());
    }

    @Test
    void rejectsMismatchedUpdates() {
        Weights other = new Weights(List.of(new Tensor("W0", new int[] {2, 1}, new float[2]),
                new Tensor("b0", new int[] {1}, new float[1])));
        TrainingException e = assertThrows(TrainingException.class,
                () -> FedAvg.average(List.of(w(1, 2, 3), other), List.of(1, 1)));
        assertEquals(ErrorKind.INTEGRITY, e.kind());
        Weights renamed = new Weights(List.of(new Tensor("W1", new int[] {1, 2}, new float[2]),
                new Tensor("b0", new int[] {1}, new float[1])));
        assertThrows(TrainingException.class, () -> FedAvg.average(List.of(w(1, 2, 3), renamed), List.of(1, 1)));
        assertThrows(TrainingException.class, () -> FedAvg.average(List.of(w(1, 2, 3)), List.of(1, 2)));
        assertThrows(TrainingException.class, () -> FedAvg.average(List.of(w(1, 2, 3)), List.of(0)));
        assertThrows(TrainingException.class, () -> FedAvg.average(List.of(), List.of()));
    }
}
