package dev.cnai.serving;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * An Open Inference Protocol v2 inference request as read from JSON, before it is checked against a model.
 *
 * @param id         the request id, echoed in the response; may be null
 * @param parameters the request's {@code parameters} object, echoed in the response; may be null
 * @param inputName  name of the single input tensor
 * @param datatype   its datatype ({@code FP32} or {@code INT64})
 * @param shape      its shape
 * @param data       its values, flattened row-major and converted to float
 * @param outputs    names of the requested outputs; null when the request names none (all outputs)
 */
public record OipRequest(String id, JsonNode parameters, String inputName, String datatype, long[] shape, float[] data,
        List<String> outputs) {
}
