package dev.cnai.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.data.Dataset;
import org.junit.jupiter.api.Test;

class ShiftsTest {

    @Test
    void everyImageMovesByOneOffsetWithinTheBound() {
        int side = 7;
        int rows = 200;
        float[] x = new float[rows * side * side];
        for (int r = 0; r < rows; r++) {
            x[r * side * side + 3 * side + 3] = 1f; // one bright pixel in the centre
        }
        Dataset d = new Dataset(side * side, 2, x, new int[rows]);
        float[] out = Shifts.of(2, side * side, 5).next(d);
        int[][] seen = new int[5][5];
        for (int r = 0; r < rows; r++) {
            int lit = -1;
            for (int i = 0; i < side * side; i++) {
                if (out[r * side * side + i] != 0) {
                    assertEquals(-1, lit, "row " + r + " has more than one lit pixel");
                    lit = i;
                }
            }
            int dy = lit / side - 3;
            int dx = lit % side - 3;
            assertTrue(Math.abs(dx) <= 2 && Math.abs(dy) <= 2, "offset " + dx + "," + dy);
            seen[dy + 2][dx + 2]++;
        }
        for (int[] line : seen) {
            for (int count : line) {
                assertTrue(count > 0, "every offset in [-2, 2]² occurs in 200 draws");
            }
        }
    }

    @Test
    void pixelsShiftedInAreZeroAndTheRestIsTheSourceMoved() {
        int side = 4;
        float[] x = new float[side * side];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
        }
        Dataset d = new Dataset(side * side, 1, x, new int[1]);
        Shifts s = Shifts.of(1, side * side, 11);
        for (int k = 0; k < 50; k++) {
            float[] out = s.next(d);
            // find the offset from where pixel value 6 (row 1, col 1) landed, then check every pixel
            int at = -1;
            for (int i = 0; i < out.length; i++) {
                at = out[i] == 6f ? i : at;
            }
            int dy = at / side - 1;
            int dx = at % side - 1;
            for (int i = 0; i < side; i++) {
                for (int j = 0; j < side; j++) {
                    int si = i - dy;
                    int sj = j - dx;
                    float expected = si < 0 || si >= side || sj < 0 || sj >= side ? 0f : x[si * side + sj];
                    assertEquals(expected, out[i * side + j], "pixel " + i + "," + j + " at offset " + dx + "," + dy);
                }
            }
        }
    }

    @Test
    void sameSeedSameShiftsAndOffMeansNull() {
        Dataset d = OnnxTrainerTest.images(10, 3, 1);
        assertArrayEquals(Shifts.of(2, d.features(), 9).next(d), Shifts.of(2, d.features(), 9).next(d));
        assertNull(Shifts.of(0, d.features(), 9));
    }

    @Test
    void rejectsNonSquareDataAndShiftsTooLarge() {
        TrainingException notSquare = assertThrows(TrainingException.class, () -> Shifts.of(2, 57, 1));
        assertTrue(notSquare.getMessage().contains("57 features is not a square"), notSquare.getMessage());
        TrainingException tooLarge = assertThrows(TrainingException.class, () -> Shifts.of(14, 784, 1));
        assertTrue(tooLarge.getMessage().contains("augment must be in [0, 13] pixels for 28×28 images, got 14"),
                tooLarge.getMessage());
    }
}
