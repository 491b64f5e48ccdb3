package dev.cnai.serving;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cnai.onnx.OnnxExporter;
import dev.cnai.onnx.OnnxModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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
    private static final OipRequestReader DEFAULT_READER = new OipRequestReader(ServingLimits.DEFAULTS);

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

    private OipCodec() {
    }

    /** Parses an inference request body within {@link ServingLimits#DEFAULTS}. */
    public static OipRequest parse(byte[] body) {
        return DEFAULT_READER.read(body);
    }

    /** A parser of inference requests that enforces {@code limits}; build one per configuration and share it. */
    public static OipRequestReader reader(ServingLimits limits) {
        return new OipRequestReader(limits);
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
                startOutput(g, OnnxExporter.PROBABILITIES, FP32, rows, classes);
                float[] probabilities = slice.probabilities();
                for (int i = 0, n = rows * classes, o = slice.probOffset(); i < n; i++) {
                    g.writeNumber(probabilities[o + i]);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            if (req.outputs() == null || req.outputs().contains(OnnxExporter.LABEL)) {
                startOutput(g, OnnxExporter.LABEL, INT64, rows);
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

    /** Opens an output tensor of the response: its name, datatype and shape, then its {@code data} array. */
    private static void startOutput(JsonGenerator g, String name, String datatype, int... shape) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", name);
        g.writeStringField("datatype", datatype);
        g.writeArrayFieldStart("shape");
        for (int d : shape) {
            g.writeNumber(d);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("data");
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
}
