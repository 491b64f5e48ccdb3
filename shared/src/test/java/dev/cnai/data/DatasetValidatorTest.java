package dev.cnai.data;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.errors.ErrorKind;
import dev.cnai.testing.Fixtures;
import org.junit.jupiter.api.Test;

class DatasetValidatorTest {

    private static DatasetException invalid(Dataset d) {
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetValidator.validate(d));
        assertEquals(ErrorKind.INVALID_INPUT, e.kind());
        return e;
    }

    @Test
    void acceptsAGoodDataset() {
        assertDoesNotThrow(() -> DatasetValidator.validate(Fixtures.blobs(50, 4, 3, 1)));
    }

    @Test
    void rejectsZeroRows() {
        String m = invalid(new Dataset(4, 3, new float[0], new int[0])).getMessage();
        assertTrue(m.contains("no rows"), m);
    }

    @Test
    void rejectsWrongFeatureArrayLength() {
        String m = invalid(new Dataset(3, 2, new float[5], new int[] {0, 1})).getMessage();
        assertTrue(m.contains("holds 5 values") && m.contains("2 rows x 3 features need 6"), m);
    }

    @Test
    void rejectsNaNNamingRowAndColumn() {
        float[] x = new float[] {0, 1, 2, 3, 4, Float.NaN};
        String m = invalid(new Dataset(2, 2, x, new int[] {0, 1, 0})).getMessage();
        assertTrue(m.contains("row 2, feature column 1 is NaN"), m);
    }

    @Test
    void rejectsInfinityNamingRowAndColumn() {
        float[] x = new float[] {0, Float.POSITIVE_INFINITY, 2, 3};
        String m = invalid(new Dataset(2, 2, x, new int[] {0, 1})).getMessage();
        assertTrue(m.contains("row 0, feature column 1 is Infinity"), m);
    }

    @Test
    void rejectsLabelOutOfRangeNamingRowAndValue() {
        String m = invalid(new Dataset(1, 3, new float[4], new int[] {0, 1, 3, 2})).getMessage();
        assertTrue(m.contains("row 2 has label 3, outside [0, 3)"), m);
        String neg = invalid(new Dataset(1, 3, new float[2], new int[] {-1, 2})).getMessage();
        assertTrue(neg.contains("row 0 has label -1"), neg);
    }

    @Test
    void rejectsEmptyClassNamingIt() {
        String m = invalid(new Dataset(1, 3, new float[4], new int[] {0, 2, 0, 2})).getMessage();
        assertTrue(m.contains("class 1 has no rows"), m);
        String many = invalid(new Dataset(1, 4, new float[2], new int[] {0, 2})).getMessage();
        assertTrue(many.contains("classes [1, 3] have no rows"), many);
    }

    @Test
    void rejectsSingleClass() {
        String m = invalid(new Dataset(1, 1, new float[2], new int[] {0, 0})).getMessage();
        assertTrue(m.contains("at least 2"), m);
    }

    @Test
    void validateFeaturesRejectsWrongDimensions() {
        Dataset d = Fixtures.blobs(10, 4, 2, 1);
        assertDoesNotThrow(() -> DatasetValidator.validateFeatures(d, 4));
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetValidator.validateFeatures(d, 784));
        assertEquals(ErrorKind.INVALID_INPUT, e.kind());
        assertTrue(e.getMessage().contains("has 4 features per row but 784 are expected"), e.getMessage());
    }
}
