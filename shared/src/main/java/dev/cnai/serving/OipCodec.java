package dev.cnai.serving;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cnai.data.FloatList;
import dev.cnai.onnx.OnnxExporter;
import dev.cnai.onnx.OnnxModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads and writes the JSON of the Open Inference Protocol v2 REST API for the classifiers this project
 * exports: one input {@code [N, features]} (FP32, or INT64 converted to float), outputs {@code probabilities}
 * FP32 {@code [N, classes]} and {@code label} INT64 {@code [N]}. Tensor {@code data} may be flat or nested
 * (row-major). Requests are read with a streaming parser straight into a float array; every problem is a
 * {@link ServingException} INVALID_INPUT (HTTP 400) whose message names the field.
 */
public final class OipCodec {
    /** Output datatypes and names of the served classifiers. */
    public static final String FP32 = "FP32";
    public static final String INT64 = "INT64";
    public static final String PLATFORM = "onnxruntime_onnx";
    public static final List<String> OUTPUTS = List.of(OnnxExporter.PROBABILITIES, OnnxExporter.LABEL);

    /**
     * Reads and writes FP32 literals with Jackson's fast parser and writer (no String per number): with the JDK's,
     * number parsing was 62 % of infer's allocations (~100 KB per 784-value request) and drove its GC pauses.
     */
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build());
    private static final JsonFactory JSON = MAPPER.getFactory();

    /**
     * The rows of one batch's prediction that answer one request, and the model that computed them.
     *
     * @param model         the served model's name
     * @param version       its version
     * @param rows          how many rows belong to the request
     * @param classes       the number of classes (columns of {@code probabilities})
     * @param probabilities the batch's probabilities, row-major {@code batch rows × classes}
     * @param probOffset    the index in {@code probabilities} of the request's first value
     * @param labels        the batch's labels, one per batch row
     * @param labelOffset   the index in {@code labels} of the request's first label
     */
    public record BatchSlice(String model, String version, int rows, int classes, float[] probabilities,
            int probOffset, long[] labels, int labelOffset) {
    }

    /** One tensor of a request's {@code inputs}, as read from JSON. */
    private record InputTensor(String name, String datatype, long[] shape, float[] data) {
    }

    private OipCodec() {
    }

    /** Parses an inference request body. */
    public static OipRequest parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw ServingException.invalid("the request body is empty; send an inference request JSON object "
                    + "{\"inputs\": [{\"name\", \"shape\", \"datatype\", \"data\"}]}");
        }
        try (JsonParser p = JSON.createParser(body)) {
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
                        parameters = MAPPER.readTree(p);
                    }
                    case "inputs" -> {
                        expectArray(t, "inputs");
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            inputs.add(readInput(p, inputs.size(), body.length / 2 + 1));
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
        } catch (JsonProcessingException e) {
            throw ServingException.invalid("malformed JSON: " + e.getOriginalMessage() + " (at byte "
                    + e.getLocation().getByteOffset() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @param maxValues an upper bound on the numbers the body can hold (each takes at least two bytes) */
    private static InputTensor readInput(JsonParser p, int index, int maxValues) throws IOException {
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
        if (!FP32.equals(datatype) && !INT64.equals(datatype)) {
            throw ServingException.invalid("inputs[" + index + "] has datatype " + datatype
                    + "; this model takes FP32 (or INT64, converted to FP32)");
        }
        if (INT64.equals(datatype) && !integers) {
            throw ServingException.invalid("inputs[" + index + "] is INT64 but its data holds non-integer numbers");
        }
        return new InputTensor(name, datatype, shape, data.toArray());
    }

    /** Reads a (possibly nested) array of numbers; returns whether every value was an integer literal. */
    private static boolean readData(JsonParser p, FloatList out, int index) throws IOException {
        boolean integers = true;
        int depth = 1;
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.VALUE_NUMBER_FLOAT) {
                integers = false;
                float v = p.getFloatValue();
                if (!Float.isFinite(v)) {
                    throw ServingException.invalid("inputs[" + index + "].data[" + out.size() + "] = " + p.getText()
                            + " is not a finite FP32 value");
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
        if (!OUTPUTS.contains(name)) {
            throw ServingException.invalid("outputs[" + index + "] names '" + name + "'; this model's outputs are "
                    + OUTPUTS);
        }
        return name;
    }

    /**
     * Checks a parsed request against the model's signature and returns the number of rows it holds.
     * Accepted shapes: {@code [N, features]} and {@code [features]} (one row).
     */
    public static int rows(OipRequest req, OnnxModel model) {
        if (!req.inputName().equals(model.inputName())) {
            throw ServingException.invalid("unknown input '" + req.inputName() + "'; this model's input is '"
                    + model.inputName() + "' " + FP32 + " [-1, " + model.features() + "]");
        }
        long[] s = req.shape();
        int f = model.features();
        long rows;
        if (s.length == 2 && s[1] == f && s[0] >= 1) {
            rows = s[0];
        } else if (s.length == 1 && s[0] == f) {
            rows = 1;
        } else {
            throw ServingException.invalid("input '" + req.inputName() + "' has shape " + Arrays.toString(s)
                    + "; this model expects [N, " + f + "] with N ≥ 1");
        }
        if (rows * f != req.data().length) {
            throw ServingException.invalid("input '" + req.inputName() + "' has shape " + Arrays.toString(s) + " = "
                    + rows * f + " values, but data holds " + req.data().length);
        }
        return (int) rows;
    }

    /** Writes the inference response to {@code req} from its slice of a batch's prediction. */
    public static byte[] inferResponse(OipRequest req, BatchSlice slice) {
        int rows = slice.rows();
        int classes = slice.classes();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128 + rows * classes * 14);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("model_name", slice.model());
            g.writeStringField("model_version", slice.version());
            if (req.id() != null) {
                g.writeStringField("id", req.id());
            }
            if (req.parameters() != null) {
                g.writeFieldName("parameters");
                MAPPER.writeTree(g, req.parameters());
            }
            g.writeArrayFieldStart("outputs");
            if (req.outputs() == null || req.outputs().contains(OnnxExporter.PROBABILITIES)) {
                g.writeStartObject();
                g.writeStringField("name", OnnxExporter.PROBABILITIES);
                g.writeStringField("datatype", FP32);
                g.writeArrayFieldStart("shape");
                g.writeNumber(rows);
                g.writeNumber(classes);
                g.writeEndArray();
                g.writeArrayFieldStart("data");
                float[] probabilities = slice.probabilities();
                for (int i = 0, n = rows * classes, o = slice.probOffset(); i < n; i++) {
                    g.writeNumber(probabilities[o + i]);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            if (req.outputs() == null || req.outputs().contains(OnnxExporter.LABEL)) {
                g.writeStartObject();
                g.writeStringField("name", OnnxExporter.LABEL);
                g.writeStringField("datatype", INT64);
                g.writeArrayFieldStart("shape");
                g.writeNumber(rows);
                g.writeEndArray();
                g.writeArrayFieldStart("data");
                long[] labels = slice.labels();
                for (int i = 0, o = slice.labelOffset(); i < rows; i++) {
                    g.writeNumber(labels[o + i]);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The model metadata response. */
    public static byte[] modelMetadata(String model, String version, OnnxModel m) {
        var root = MAPPER.createObjectNode().put("name", model).put("platform", PLATFORM);
        root.putArray("versions").add(version);
        var in = root.putArray("inputs").addObject().put("name", m.inputName()).put("datatype", FP32);
        in.putArray("shape").add(-1).add(m.features());
        var outs = root.putArray("outputs");
        var p = outs.addObject().put("name", OnnxExporter.PROBABILITIES).put("datatype", FP32);
        p.putArray("shape").add(-1).add(m.classes());
        outs.addObject().put("name", OnnxExporter.LABEL).put("datatype", INT64).putArray("shape").add(-1);
        return json(root);
    }

    /** The server metadata response. */
    public static byte[] serverMetadata(String name, String version) {
        var root = MAPPER.createObjectNode().put("name", name).put("version", version);
        root.putArray("extensions");
        return json(root);
    }

    /** {@code {"<field>": value}} and, when non-null, {@code "name"}. */
    public static byte[] flag(String field, boolean value, String name) {
        var root = MAPPER.createObjectNode();
        if (name != null) {
            root.put("name", name);
        }
        return json(root.put(field, value));
    }

    private static byte[] json(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
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
