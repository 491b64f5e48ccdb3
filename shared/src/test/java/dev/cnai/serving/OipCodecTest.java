package dev.cnai.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.errors.ErrorKind;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The OIP v2 JSON codec without a model or a server. */
class OipCodecTest {

    static OipRequest parse(String json) {
        return OipCodec.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsFlatAndNestedDataAlikeWithIdParametersAndOutputs() {
        OipRequest flat = parse("{\"id\":\"a\",\"parameters\":{\"k\":[1,2]},\"inputs\":[{\"name\":\"input\","
                + "\"shape\":[2,2],\"datatype\":\"FP32\",\"parameters\":{\"x\":1},\"data\":[1,2.5,3,4]}],"
                + "\"outputs\":[{\"name\":\"label\",\"parameters\":{}}],\"extra\":{\"ignored\":true}}");
        OipRequest nested = parse("{\"inputs\":[{\"data\":[[1,2.5],[3,4]],\"datatype\":\"FP32\",\"shape\":[2,2],"
                + "\"name\":\"input\"}],\"outputs\":[]}");
        assertEquals("a", flat.id());
        assertEquals("[1,2]", flat.parameters().get("k").toString());
        assertEquals(List.of("label"), flat.outputs());
        assertArrayEquals(new long[] {2, 2}, flat.shape());
        assertArrayEquals(new float[] {1, 2.5f, 3, 4}, flat.data());
        assertArrayEquals(flat.data(), nested.data());
        assertNull(nested.outputs(), "an empty outputs list asks for every output");
        assertNull(nested.id());
    }

    @Test
    void int64DataMustBeIntegers() {
        assertArrayEquals(new float[] {1, 2}, parse("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,2],"
                + "\"datatype\":\"INT64\",\"data\":[1,2]}]}").data());
        invalid("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,2],\"datatype\":\"INT64\",\"data\":[1,2.5]}]}",
                "non-integer");
    }

    @Test
    void everyMalformedRequestIsInvalidInputNamingTheProblem() {
        invalid("", "empty");
        invalid("{", "malformed JSON");
        invalid("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]}]} x",
                "malformed JSON");
        invalid("[]", "JSON object");
        invalid("{\"id\":5,\"inputs\":[]}", "'id' must be a string");
        invalid("{\"inputs\":{}}", "'inputs' must be an array");
        invalid("{\"inputs\":[]}", "exactly one");
        invalid("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,2],\"datatype\":\"BOOL\",\"data\":[1,2]}]}", "BOOL");
        invalid("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,-2],\"datatype\":\"FP32\",\"data\":[1,2]}]}",
                "non-negative");
        invalid("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,null]}]}",
                "only numbers");
        invalid("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":\"AAAA\"}]}",
                "array of numbers");
        invalid("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]}],"
                + "\"outputs\":[{\"name\":\"logits\"}]}", "'logits'");
    }

    @Test
    void writesTheResponseSlicesOfABatch() {
        OipRequest req = parse("{\"id\":\"r\",\"parameters\":{\"p\":1},\"inputs\":[{\"name\":\"input\",\"shape\":[1,2],"
                + "\"datatype\":\"FP32\",\"data\":[1,2]}]}");
        float[] probs = {0.1f, 0.9f, 0.7f, 0.3f};
        long[] labels = {1, 0};
        String json = new String(OipCodec.inferResponse(req,
                new OipCodec.BatchSlice("m", "v3", 1, 2, probs, 2, labels, 1)),
                StandardCharsets.UTF_8);
        assertEquals("{\"model_name\":\"m\",\"model_version\":\"v3\",\"id\":\"r\",\"parameters\":{\"p\":1},\"outputs\":["
                + "{\"name\":\"probabilities\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[0.7,0.3]},"
                + "{\"name\":\"label\",\"datatype\":\"INT64\",\"shape\":[1],\"data\":[0]}]}", json);
    }

    private static void invalid(String json, String message) {
        ServingException e = assertThrows(ServingException.class, () -> parse(json), json);
        assertEquals(ErrorKind.INVALID_INPUT, e.kind());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
