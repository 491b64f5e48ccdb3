package dev.cnai.serving;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cnai.data.FloatList;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The streaming reader of {@link OipCodec#parse}: an inference request read straight into a float array, every
 * problem a {@link ServingException} INVALID_INPUT whose message names the field. {@link ServingLimits} are checked
 * before what they bound is allocated: the shape's product and rows before the data array, the values while data is
 * read, every string and key by the parser itself (Jackson's {@link StreamReadConstraints}) as it reads them; each is
 * a PAYLOAD_TOO_LARGE that names its configuration key.
 */
public final class OipRequestReader {
    /** One tensor of a request's {@code inputs}, as read from JSON. */
    private record InputTensor(String name, String datatype, long[] shape, float[] data) {
    }

    private final JsonFactory json;
    private final ServingLimits limits;

    /** A reader that enforces {@code limits} (checked: every value positive). */
    public OipRequestReader(ServingLimits limits) {
        this.limits = ServingLimits.checked(limits);
        StreamReadConstraints strings = StreamReadConstraints.builder().maxStringLength(limits.maxStringLength())
                .maxNameLength(limits.maxStringLength()).build();
        // the fast FP32 parser (see OipCodec); an ObjectMapper's factory, so 'parameters' can be read as a tree
        this.json = new ObjectMapper(JsonFactory.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                .streamReadConstraints(strings).build()).getFactory();
    }

    /** The limits this reader enforces. */
    public ServingLimits limits() {
        return limits;
    }

    /** Parses an inference request body. */
    public OipRequest read(byte[] body) {
        if (body == null || body.length == 0) {
            throw ServingException.invalid("the request body is empty; send an inference request JSON object "
                    + "{\"inputs\": [{\"name\", \"shape\", \"datatype\", \"data\"}]}");
        }
        try (JsonParser p = json.createParser(body)) {
            try {
                return readRequest(p, body.length);
            } catch (StreamConstraintsException e) {
                throw constraint(e, p);
            }
        } catch (JsonProcessingException e) {
            throw ServingException.invalid("malformed JSON: " + e.getOriginalMessage() + " (at byte "
                    + e.getLocation().getByteOffset() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private OipRequest readRequest(JsonParser p, int bodyLength) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw ServingException.invalid("the inference request must be a JSON object");
        }
        String id = null;
        JsonNode parameters = null;
        List<InputTensor> inputs = new ArrayList<>(1);
        List<String> outputs = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "id" -> {
                    if (t != JsonToken.VALUE_STRING) {
                        throw ServingException.invalid("'id' must be a string");
                    }
                    id = p.getText();
                }
                case "parameters" -> {
                    if (t != JsonToken.START_OBJECT) {
                        throw ServingException.invalid("'parameters' must be a JSON object");
                    }
                    parameters = p.readValueAsTree();
                }
                case "inputs" -> {
                    expectArray(t, "inputs");
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        inputs.add(readInput(p, inputs.size(), bodyLength / 2 + 1));
                    }
                }
                case "outputs" -> {
                    expectArray(t, "outputs");
                    outputs = new ArrayList<>(2);
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        outputs.add(readOutput(p, outputs.size()));
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (p.nextToken() != null) {
            throw ServingException.invalid("unexpected content after the request object");
        }
        if (inputs.size() != 1) {
            throw ServingException.invalid("'inputs' must hold exactly one tensor, found " + inputs.size());
        }
        InputTensor in = inputs.get(0);
        return new OipRequest(id, parameters, in.name(), in.datatype(), in.shape(), in.data(),
                outputs == null || outputs.isEmpty() ? null : List.copyOf(outputs));
    }

    /** A string or key over the limit names the field it was in; any other constraint is malformed JSON. */
    private ServingException constraint(StreamConstraintsException e, JsonParser p) throws IOException {
        String m = String.valueOf(e.getMessage());
        if (m.contains("getMaxStringLength") || m.contains("getMaxNameLength")) {
            String field = p.currentName();
            return ServingException.stringTooLong((field == null ? "" : "(in '" + field + "', ") + "at byte "
                    + p.currentLocation().getByteOffset() + (field == null ? "" : ")"), limits.maxStringLength());
        }
        return ServingException.invalid("malformed JSON: " + e.getOriginalMessage());
    }

    /** @param maxValues an upper bound on the numbers the body can hold (each takes at least two bytes) */
    private InputTensor readInput(JsonParser p, int index, int maxValues) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw ServingException.invalid("inputs[" + index + "] must be a JSON object");
        }
        String name = null;
        String datatype = null;
        long[] shape = null;
        FloatList data = null;
        boolean integers = true;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "name" -> name = string(p, t, "inputs[" + index + "].name");
                case "datatype" -> datatype = string(p, t, "inputs[" + index + "].datatype");
                case "shape" -> {
                    expectArray(t, "inputs[" + index + "].shape");
                    long[] dims = new long[4];
                    int n = 0;
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0) {
                            throw ServingException.invalid("inputs[" + index + "].shape must hold non-negative integers");
                        }
                        if (n == dims.length) {
                            dims = Arrays.copyOf(dims, n * 2);
                        }
                        dims[n++] = p.getLongValue();
                    }
                    shape = Arrays.copyOf(dims, n);
                    checkShape(shape, index);
                }
                case "data" -> {
                    // sized from the shape when it came first (as clients send it), never beyond what the body holds
                    data = new FloatList(shape == null ? 1024 : (int) Math.min(maxValues, product(shape)));
                    if (t == JsonToken.START_ARRAY) {
                        integers = readData(p, data, index);
                    } else {
                        throw ServingException.invalid("inputs[" + index + "].data must be an array of numbers "
                                + "(flat or nested, row-major)");
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (name == null || datatype == null || shape == null || data == null) {
            throw ServingException.invalid("inputs[" + index + "] needs 'name', 'shape', 'datatype' and 'data'");
        }
        if (!OipCodec.FP32.equals(datatype) && !OipCodec.INT64.equals(datatype)) {
            throw ServingException.invalid("inputs[" + index + "] has datatype " + datatype
                    + "; this model takes " + OipCodec.FP32 + " (or " + OipCodec.INT64
                    + ", converted to " + OipCodec.FP32 + ")");
        }
        if (OipCodec.INT64.equals(datatype) && !integers) {
            throw ServingException.invalid("inputs[" + index + "] is " + OipCodec.INT64
                    + " but its data holds non-integer numbers");
        }
        return new InputTensor(name, datatype, shape, data.toArray());
    }

    /** Reads a (possibly nested) array of numbers; returns whether every value was an integer literal. */
    private boolean readData(JsonParser p, FloatList out, int index) throws IOException {
        boolean integers = true;
        int depth = 1;
        long max = limits.maxTensorElements();
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (out.size() == max && (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT)) {
                throw ServingException.tooManyElements("inputs[" + index + "].data holds", -1, max);
            }
            if (t == JsonToken.VALUE_NUMBER_FLOAT) {
                integers = false;
                float v = p.getFloatValue();
                if (!Float.isFinite(v)) {
                    throw ServingException.invalid("inputs[" + index + "].data[" + out.size() + "] = " + p.getText()
                            + " is not a finite " + OipCodec.FP32 + " value");
                }
                out.add(v);
            } else if (t == JsonToken.VALUE_NUMBER_INT) {
                // int literals (pixels, token ids) without a detour through text
                out.add(p.getNumberType() == JsonParser.NumberType.INT ? (float) p.getIntValue() : p.getFloatValue());
            } else if (t == JsonToken.START_ARRAY) {
                depth++;
            } else if (t == JsonToken.END_ARRAY) {
                depth--;
            } else {
                throw ServingException.invalid("inputs[" + index + "].data[" + out.size() + "] is " + p.getText()
                        + "; data must hold only numbers (flat or nested arrays)");
            }
        }
        return integers;
    }

    private static String readOutput(JsonParser p, int index) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw ServingException.invalid("outputs[" + index + "] must be a JSON object {\"name\": …}");
        }
        String name = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            if (field.equals("name")) {
                name = string(p, t, "outputs[" + index + "].name");
            } else {
                p.skipChildren();
            }
        }
        if (name == null) {
            throw ServingException.invalid("outputs[" + index + "] needs a 'name'");
        }
        if (!OipCodec.OUTPUTS.contains(name)) {
            throw ServingException.invalid("outputs[" + index + "] names '" + name + "'; this model's outputs are "
                    + OipCodec.OUTPUTS);
        }
        return name;
    }

    private static String string(JsonParser p, JsonToken t, String what) throws IOException {
        if (t != JsonToken.VALUE_STRING) {
            throw ServingException.invalid("'" + what + "' must be a string");
        }
        return p.getText();
    }

    private static void expectArray(JsonToken t, String what) {
        if (t != JsonToken.START_ARRAY) {
            throw ServingException.invalid("'" + what + "' must be an array");
        }
    }

    /** Refuses a shape that declares more values, or (as {@code [N, features]}) more rows, than the limits allow. */
    private void checkShape(long[] shape, int index) {
        String what = "inputs[" + index + "].shape " + Arrays.toString(shape) + " declares";
        if (shape.length == 2 && shape[0] > limits.maxRows()) {
            throw ServingException.tooManyRows(what, shape[0], limits.maxRows());
        }
        long elements = product(shape);
        if (elements > limits.maxTensorElements()) {
            throw ServingException.tooManyElements(what, elements, limits.maxTensorElements());
        }
    }

    /** Product of the dimensions, saturating at {@code Long.MAX_VALUE}. */
    private static long product(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d != 0 && n > Long.MAX_VALUE / d) {
                return Long.MAX_VALUE;
            }
            n *= d;
        }
        return n;
    }
}
