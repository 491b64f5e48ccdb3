package dev.cnai.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.errors.ErrorKind;
import dev.cnai.testing.Fixtures;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ShardCodecTest {

    private static void assertSameDataset(Dataset a, Dataset b) {
        assertEquals(a.features(), b.features());
        assertEquals(a.classes(), b.classes());
        assertArrayEquals(a.y(), b.y());
        assertArrayEquals(a.x(), b.x(), 0f);
    }

    @Test
    void roundTripsAndHasTheDocumentedLayout() {
        Dataset d = Fixtures.blobs(37, 5, 4, 11);
        byte[] bytes = ShardCodec.encode(d);
        assertEquals(8 + 16 + 37 + 37 * 5 * 4, bytes.length);
        assertEquals("CNAISHD1", new String(bytes, 0, 8, StandardCharsets.US_ASCII));
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1, b.getInt(8));
        assertEquals(37, b.getInt(12));
        assertEquals(5, b.getInt(16));
        assertEquals(4, b.getInt(20));
        assertEquals(d.y()[0], bytes[24]);
        assertEquals(d.x()[0], b.getFloat(24 + 37), 0f);
        assertSameDataset(d, ShardCodec.decode(bytes));
    }

    @Test
    void roundTripsManyClassesWithInt32Labels() {
        int rows = 600;
        int[] y = new int[rows];
        float[] x = new float[rows * 2];
        for (int i = 0; i < rows; i++) {
            y[i] = i % 300;
            x[2 * i] = i;
            x[2 * i + 1] = -i / 7f;
        }
        Dataset d = new Dataset(2, 300, x, y);
        byte[] bytes = ShardCodec.encode(d);
        assertEquals(24 + rows * 4 + rows * 2 * 4, bytes.length);
        assertSameDataset(d, ShardCodec.decode(bytes));
    }

    @Test
    void roundTripsAnEmptyShardAndNonFiniteValues() {
        Dataset empty = new Dataset(3, 2, new float[0], new int[0]);
        assertSameDataset(empty, ShardCodec.decode(ShardCodec.encode(empty)));
        Dataset odd = new Dataset(2, 2, new float[] {Float.NaN, -0f, Float.POSITIVE_INFINITY, Float.MIN_VALUE},
                new int[] {1, 0});
        Dataset back = ShardCodec.decode(ShardCodec.encode(odd));
        assertTrue(Float.isNaN(back.x()[0]));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(back.x()[1]));
        assertEquals(Float.MIN_VALUE, back.x()[3], 0f);
    }

    @Test
    void encodingIsByteDeterministicAndDigestFollowsContent() {
        Dataset a = Fixtures.blobs(50, 8, 3, 5);
        Dataset b = Fixtures.blobs(50, 8, 3, 5);
        assertArrayEquals(ShardCodec.encode(a), ShardCodec.encode(b));
        assertEquals(ShardCodec.digest(a), ShardCodec.digest(b));
        assertTrue(ShardCodec.digest(a).matches("sha256:[0-9a-f]{64}"));
        assertNotEquals(ShardCodec.digest(a), ShardCodec.digest(Fixtures.blobs(50, 8, 3, 6)));
    }

    @Test
    void rejectsEveryTruncation() {
        byte[] bytes = ShardCodec.encode(Fixtures.blobs(9, 3, 3, 2));
        for (int len = 0; len < bytes.length; len++) {
            byte[] cut = Arrays.copyOf(bytes, len);
            DatasetException e = assertThrows(DatasetException.class, () -> ShardCodec.decode(cut), "length " + len);
            assertEquals(ErrorKind.INTEGRITY, e.kind());
        }
        DatasetException e = assertThrows(DatasetException.class,
                () -> ShardCodec.decode(Arrays.copyOf(bytes, bytes.length - 1)));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void rejectsGarbledBytes() {
        byte[] good = ShardCodec.encode(Fixtures.blobs(9, 3, 3, 2));
        byte[] magic = good.clone();
        magic[0] = 'X';
        assertTrue(assertThrows(DatasetException.class, () -> ShardCodec.decode(magic)).getMessage().contains("magic"));
        byte[] version = good.clone();
        version[8] = 2;
        assertTrue(assertThrows(DatasetException.class, () -> ShardCodec.decode(version)).getMessage().contains("version 2"));
        byte[] rows = good.clone();
        ByteBuffer.wrap(rows).order(ByteOrder.LITTLE_ENDIAN).putInt(12, Integer.MAX_VALUE);
        assertEquals(ErrorKind.INTEGRITY, assertThrows(DatasetException.class, () -> ShardCodec.decode(rows)).kind());
        byte[] negative = good.clone();
        ByteBuffer.wrap(negative).order(ByteOrder.LITTLE_ENDIAN).putInt(16, -3);
        assertEquals(ErrorKind.INTEGRITY, assertThrows(DatasetException.class, () -> ShardCodec.decode(negative)).kind());
        byte[] label = good.clone();
        label[24] = 7;
        assertTrue(assertThrows(DatasetException.class, () -> ShardCodec.decode(label)).getMessage()
                .contains("row 0 has label 7"));
        byte[] trailing = Arrays.copyOf(good, good.length + 4);
        assertTrue(assertThrows(DatasetException.class, () -> ShardCodec.decode(trailing)).getMessage()
                .contains("trailing"));
        java.util.Random rnd = new java.util.Random(1);
        for (int i = 0; i < 500; i++) {
            byte[] junk = new byte[rnd.nextInt(200)];
            rnd.nextBytes(junk);
            assertThrows(DatasetException.class, () -> ShardCodec.decode(junk));
        }
    }

    @Test
    void encodeRejectsInconsistentDatasets() {
        assertThrows(DatasetException.class, () -> ShardCodec.encode(new Dataset(3, 2, new float[5], new int[] {0, 1})));
        DatasetException e = assertThrows(DatasetException.class,
                () -> ShardCodec.encode(new Dataset(1, 2, new float[2], new int[] {0, 2})));
        assertEquals(ErrorKind.INVALID_INPUT, e.kind());
    }
}
