package dev.cnai.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.errors.ErrorKind;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitsTest {
    private static final int[] CLASS_SIZES = {100, 37, 5, 1, 250, 13};

    private static int[] labels() {
        int[] y = new int[Arrays.stream(CLASS_SIZES).sum()];
        // interleave classes so that row order does not line up with classes
        int[] left = CLASS_SIZES.clone();
        int i = 0;
        while (i < y.length) {
            for (int c = 0; c < left.length; c++) {
                if (left[c] > 0) {
                    left[c]--;
                    y[i++] = c;
                }
            }
        }
        return y;
    }

    private static int[] perClass(int[] rows, int[] y, int classes) {
        int[] counts = new int[classes];
        for (int r : rows) {
            counts[y[r]]++;
        }
        return counts;
    }

    @Test
    void stratifiedKeepsClassProportionsWithinOneRow() {
        int[] y = labels();
        Split s = Splits.stratified(y, CLASS_SIZES.length, 0.7, 0.2, 0.1, 42);
        int[] tr = perClass(s.train(), y, CLASS_SIZES.length);
        int[] va = perClass(s.validation(), y, CLASS_SIZES.length);
        int[] te = perClass(s.test(), y, CLASS_SIZES.length);
        for (int c = 0; c < CLASS_SIZES.length; c++) {
            int n = CLASS_SIZES[c];
            assertEquals(n, tr[c] + va[c] + te[c]);
            assertTrue(Math.abs(tr[c] - 0.7 * n) <= 1.0, "train class " + c + ": " + tr[c]);
            assertTrue(Math.abs(va[c] - 0.2 * n) <= 1.0, "validation class " + c + ": " + va[c]);
            assertTrue(Math.abs(te[c] - 0.1 * n) <= 1.0, "test class " + c + ": " + te[c]);
        }
    }

    @Test
    void stratifiedIsASortedPartition() {
        int[] y = labels();
        Split s = Splits.stratified(y, CLASS_SIZES.length, 0.8, 0.1, 0.1, 7);
        int[] all = IntStream.concat(IntStream.concat(Arrays.stream(s.train()), Arrays.stream(s.validation())),
                Arrays.stream(s.test())).sorted().toArray();
        assertArrayEquals(IntStream.range(0, y.length).toArray(), all);
        for (int[] part : new int[][] {s.train(), s.validation(), s.test()}) {
            int[] sorted = part.clone();
            Arrays.sort(sorted);
            assertArrayEquals(sorted, part);
        }
    }

    @Test
    void stratifiedIsDeterministicPerSeed() {
        int[] y = labels();
        Split a = Splits.stratified(y, CLASS_SIZES.length, 0.8, 0.1, 0.1, 42);
        Split b = Splits.stratified(y, CLASS_SIZES.length, 0.8, 0.1, 0.1, 42);
        Split c = Splits.stratified(y, CLASS_SIZES.length, 0.8, 0.1, 0.1, 43);
        assertArrayEquals(a.train(), b.train());
        assertArrayEquals(a.validation(), b.validation());
        assertArrayEquals(a.test(), b.test());
        assertFalse(Arrays.equals(a.train(), c.train()), "another seed should give another split");
    }

    @Test
    void stratifiedRejectsFractionsThatDoNotSumToOne() {
        DatasetException e = assertThrows(DatasetException.class,
                () -> Splits.stratified(labels(), CLASS_SIZES.length, 0.8, 0.1, 0.2, 1));
        assertEquals(ErrorKind.INVALID_INPUT, e.kind());
        assertTrue(e.getMessage().contains("must sum to 1"), e.getMessage());
        assertThrows(DatasetException.class, () -> Splits.stratified(labels(), CLASS_SIZES.length, 1.2, -0.1, -0.1, 1));
        Splits.stratified(labels(), CLASS_SIZES.length, 0.8, 0.1, 0.1 + 5e-7, 1);
    }

    @Test
    void stratifiedRejectsLabelsOutOfRange() {
        DatasetException e = assertThrows(DatasetException.class,
                () -> Splits.stratified(new int[] {0, 1, 5}, 2, 0.8, 0.1, 0.1, 1));
        assertTrue(e.getMessage().contains("row 2 has label 5"), e.getMessage());
    }

    @Test
    void shardsAreStratifiedAndBalanced() {
        int[] y = labels();
        Split s = Splits.stratified(y, CLASS_SIZES.length, 0.8, 0.1, 0.1, 42);
        int n = 4;
        int[][] shards = Splits.shards(s.train(), y, CLASS_SIZES.length, n, 42);
        assertEquals(n, shards.length);
        int[][] counts = new int[n][];
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int i = 0; i < n; i++) {
            counts[i] = perClass(shards[i], y, CLASS_SIZES.length);
            min = Math.min(min, shards[i].length);
            max = Math.max(max, shards[i].length);
        }
        assertTrue(max - min <= 1, "shard sizes " + min + ".." + max);
        for (int c = 0; c < CLASS_SIZES.length; c++) {
            int cmin = Integer.MAX_VALUE;
            int cmax = 0;
            for (int i = 0; i < n; i++) {
                cmin = Math.min(cmin, counts[i][c]);
                cmax = Math.max(cmax, counts[i][c]);
            }
            assertTrue(cmax - cmin <= 1, "class " + c + " spread " + cmin + ".." + cmax);
        }
        int[] all = Arrays.stream(shards).flatMapToInt(Arrays::stream).sorted().toArray();
        assertArrayEquals(s.train(), all);
    }

    @Test
    void shardsAreDeterministicPerSeed() {
        int[] y = labels();
        int[] rows = IntStream.range(0, y.length).toArray();
        int[][] a = Splits.shards(rows, y, CLASS_SIZES.length, 3, 9);
        int[][] b = Splits.shards(rows, y, CLASS_SIZES.length, 3, 9);
        int[][] c = Splits.shards(rows, y, CLASS_SIZES.length, 3, 10);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(a[i], b[i]);
        }
        assertFalse(Arrays.equals(a[0], c[0]));
    }

    @Test
    void shardsRejectBadCounts() {
        int[] y = {0, 1, 0, 1};
        int[] rows = {0, 1, 2, 3};
        DatasetException zero = assertThrows(DatasetException.class, () -> Splits.shards(rows, y, 2, 0, 1));
        assertTrue(zero.getMessage().contains("cannot make 0 shards of 4 rows"), zero.getMessage());
        DatasetException many = assertThrows(DatasetException.class, () -> Splits.shards(rows, y, 2, 5, 1));
        assertTrue(many.getMessage().contains("cannot make 5 shards of 4 rows"), many.getMessage());
        assertEquals(4, Splits.shards(rows, y, 2, 4, 1).length);
    }
}
