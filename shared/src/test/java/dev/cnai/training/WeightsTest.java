package dev.cnai.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cnai.errors.ErrorKind;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class WeightsTest {

    private static Weights sample() {
        return new Weights(List.of(
                new Tensor("W0", new int[] {2, 3}, new float[] {1, -2, 3.5f, Float.MIN_VALUE, -0f, 1e30f}),
                new Tensor("b0", new int[] {3}, new float[] {0.25f, 0, -7}),
                new Tensor("größe", new int[0], new float[] {42}),
                new Tensor("empty", new int[] {0, 4}, new float[0])));
    }

    @Test
    void roundTripPreservesNamesShapesAndBits() {
        Weights w = sample();
        byte[] bytes = w.encode();
        Weights back = Weights.decode(bytes);
        assertEquals(w, back);
        assertArrayEquals(bytes, back.encode());
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(back.get("W0").data()[4]));
        assertArrayEquals(new int[] {2, 3}, back.get("W0").shape());
    }

    @Test
    void encodingIsLittleEndianWithMagic() {
        byte[] bytes = new Weights(List.of(new Tensor("b", new int[] {1}, new float[] {1f}))).encode();
        assertEquals("CNAIWTS1", new String(bytes, 0, 8, java.nio.charset.StandardCharsets.US_ASCII));
        assertArrayEquals(new byte[] {1, 0, 0, 0}, Arrays.copyOfRange(bytes, 8, 12)); // count
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f}, Arrays.copyOfRange(bytes, bytes.length - 4, bytes.length));
    }

    @Test
    void everyTruncationIsRejected() {
        byte[] bytes = sample().encode();
        for (int len = 0; len < bytes.length; len++) {
            byte[] prefix = Arrays.copyOf(bytes, len);
            TrainingException e = assertThrows(TrainingException.class, () -> Weights.decode(prefix),
                    "prefix of " + len + " bytes");
            assertEquals(ErrorKind.INTEGRITY, e.kind());
        }
    }

    @Test
    void garbledBytesNeverEscapeAsOtherExceptions() {
        byte[] bytes = sample().encode();
        for (int pos = 0; pos < bytes.length; pos++) {
            for (int v : new int[] {0x00, 0x7f, 0x80, 0xff}) {
                byte[] g = bytes.clone();
                g[pos] = (byte) v;
                try {
                    Weights.decode(g);
                } catch (TrainingException e) {
                    assertEquals(ErrorKind.INTEGRITY, e.kind());
                }
            }
        }
    }

    @Test
    void rejectsBadMagicTrailingBytesAndNull() {
        byte[] bytes = sample().encode();
        byte[] magic = bytes.clone();
        magic[0] = 'X';
        assertThrows(TrainingException.class, () -> Weights.decode(magic));
        assertThrows(TrainingException.class, () -> Weights.decode(Arrays.copyOf(bytes, bytes.length + 1)));
        assertThrows(TrainingException.class, () -> Weights.decode(null));
    }

    @Test
    void validatesTensorsAndLookups() {
        assertThrows(TrainingException.class, () -> new Tensor("W0", new int[] {2, 2}, new float[3]));
        Tensor t = new Tensor("a", new int[] {1}, new float[1]);
        assertThrows(TrainingException.class, () -> new Weights(List.of(t, t)));
        TrainingException e = assertThrows(TrainingException.class, () -> sample().get("W9"));
        assertEquals(ErrorKind.INTEGRITY, e.kind());
    }
}
