package dev.cnai.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.errors.ErrorKind;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link ServingLimits} as {@link OipRequestReader} enforces them: each limit refused one over, accepted at it. */
class OipLimitsTest {
    /** At most 12 values, 3 rows, strings of 8 characters. */
    private static final OipRequestReader READER = OipCodec.reader(ServingLimits.of(12, 3, 8));

    private static OipRequest read(String json) {
        return READER.read(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String request(String id, String shape, String data) {
        return "{\"id\":\"" + id + "\",\"inputs\":[{\"name\":\"input\",\"shape\":" + shape
                + ",\"datatype\":\"FP32\",\"data\":" + data + "}]}";
    }

    private static ServingException refused(String json, String key) {
        ServingException e = assertThrows(ServingException.class, () -> read(json));
        assertEquals(ErrorKind.PAYLOAD_TOO_LARGE, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(key), e.getMessage());
        return e;
    }

    private static String values(int n) {
        return "[" + "1,".repeat(n - 1) + "1]";
    }

    @Test
    void theDeclaredShapeIsCheckedBeforeTheDataIsRead() {
        assertEquals(12, read(request("a", "[3, 4]", values(12))).data().length);
        // a declared 2^40 values are refused from the shape alone: the data (one value) is never sized from it
        ServingException e = refused(request("a", "[1, 1099511627776]", "[1]"), ServingLimits.MAX_TENSOR_ELEMENTS);
        assertTrue(e.getMessage().contains("1099511627776 values, over the limit of 12"), e.getMessage());
        refused(request("a", "[13]", values(13)), ServingLimits.MAX_TENSOR_ELEMENTS);
    }

    @Test
    void dataBeforeItsShapeIsCutOffAtTheLimit() {
        String first = "{\"inputs\":[{\"data\":" + values(13) + ",\"name\":\"input\",\"shape\":[13],\"datatype\":\"FP32\"}]}";
        ServingException e = refused(first, ServingLimits.MAX_TENSOR_ELEMENTS);
        assertTrue(e.getMessage().contains("inputs[0].data holds more than 12 values"), e.getMessage());
        assertArrayEquals(new float[] {1, 1}, read("{\"inputs\":[{\"data\":[[1],[1]],\"name\":\"input\",\"shape\":[2,1],"
                + "\"datatype\":\"FP32\"}]}").data());
    }

    @Test
    void rowsAreCheckedFromTheShape() {
        assertEquals(3, read(request("a", "[3, 1]", values(3))).shape()[0]);
        ServingException e = refused(request("a", "[4, 1]", values(4)), ServingLimits.MAX_ROWS);
        assertTrue(e.getMessage().contains("4 rows, over the limit of 3 rows per request"), e.getMessage());
    }

    @Test
    void everyStringAndKeyIsBoundedByTheParser() {
        assertEquals("12345678", read(request("12345678", "[1]", "[1]")).id());
        ServingException e = refused(request("123456789", "[1]", "[1]"), ServingLimits.MAX_STRING_LENGTH);
        assertTrue(e.getMessage().contains("(in 'id', at byte") && e.getMessage().contains("limit of 8 characters"),
                e.getMessage());
        // inside parameters, which are read as a tree and echoed
        refused("{\"parameters\":{\"k\":\"123456789\"},\"inputs\":[]}", ServingLimits.MAX_STRING_LENGTH);
        // an object key
        refused("{\"parameters\":{\"123456789\":1},\"inputs\":[]}", ServingLimits.MAX_STRING_LENGTH);
    }

    @Test
    void limitsOutOfRangeNameTheirKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServingLimits.of(0, 1, 1));
        assertTrue(e.getMessage().contains(ServingLimits.MAX_TENSOR_ELEMENTS), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ServingLimits.of(1, -1, 1));
        assertTrue(e.getMessage().contains(ServingLimits.MAX_ROWS), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ServingLimits.of(1, 1, 0));
        assertTrue(e.getMessage().contains(ServingLimits.MAX_STRING_LENGTH), e.getMessage());
    }

    @Test
    void theDefaultParserKeepsTheDefaults() {
        assertEquals(ServingLimits.DEFAULTS.maxRows(), 1024);
        ServingException e = assertThrows(ServingException.class,
                () -> OipCodec.parse(request("a", "[1025, 1]", values(1)).getBytes(StandardCharsets.UTF_8)));
        assertEquals(ErrorKind.PAYLOAD_TOO_LARGE, e.kind());
    }
}
