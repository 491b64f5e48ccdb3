package dev.cnai.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DigitJsonTest {

    private static float[] parse(String json, int rowLength) {
        FloatList out = new FloatList(16);
        DigitJson.parse(json.getBytes(StandardCharsets.UTF_8), "test.json", rowLength, out);
        return out.toArray();
    }

    @Test
    void numbersMatchFloatParseFloat() {
        Random rnd = new Random(3);
        StringBuilder json = new StringBuilder("[");
        String[] texts = new String[5000];
        for (int i = 0; i < texts.length; i++) {
            String t = switch (i % 5) {
                case 0 -> String.valueOf(rnd.nextInt(1001) / 1000.0);
                case 1 -> String.valueOf(rnd.nextFloat());
                case 2 -> (rnd.nextBoolean() ? "-" : "") + rnd.nextInt(100000) + "e" + (rnd.nextInt(40) - 20);
                case 3 -> "0.000" + rnd.nextInt(1000) + "E+" + rnd.nextInt(3);
                default -> String.valueOf(rnd.nextGaussian() * 1e6);
            };
            texts[i] = t;
            json.append(i == 0 ? "" : ",").append(t);
        }
        float[] got = parse(json.append(']').toString(), 1);
        for (int i = 0; i < texts.length; i++) {
            assertEquals(Float.parseFloat(texts[i]), got[i], 0f, texts[i]);
        }
    }

    @Test
    void acceptsObjectWithDataAndSkipsOtherMembers() {
        float[] got = parse(" {\"name\": \"x\\\"y\", \"n\": [1, {\"a\": null}, true, false], \"data\": [0, 0.5 ,1]}\n", 3);
        assertArrayEquals(new float[] {0f, 0.5f, 1f}, got, 0f);
    }

    @Test
    void acceptsNestedRowsOfTheRightLength() {
        assertArrayEquals(new float[] {1, 2, 3, 4}, parse("[[1,2],[3,4]]", 2), 0f);
        String m = assertThrows(DatasetException.class, () -> parse("[[1,2],[3]]", 2)).getMessage();
        assertTrue(m.contains("digit 1 has 1 pixel values; expected 2"), m);
    }

    @Test
    void reportsMalformedAndTruncatedJson() {
        String truncated = assertThrows(DatasetException.class, () -> parse("{\"data\": [0, 0.1, 0.", 1)).getMessage();
        assertTrue(truncated.contains("test.json") && truncated.contains("truncated"), truncated);
        String text = assertThrows(DatasetException.class, () -> parse("[0, \"a\"]", 1)).getMessage();
        assertTrue(text.contains("expected a number"), text);
        String noData = assertThrows(DatasetException.class, () -> parse("{\"pixels\": [0]}", 1)).getMessage();
        assertTrue(noData.contains("\"data\""), noData);
        assertThrows(DatasetException.class, () -> parse("[0] x", 1));
        assertThrows(DatasetException.class, () -> parse("", 1));
    }
}
