package dev.cnai.serving;

/**
 * Limits on one inference request, checked while it is read and before the memory it asks for is allocated: the
 * declared {@code shape}'s product before the data array is sized, the rows of {@code [N, features]} before a batch
 * is built, every string (and object key) of the JSON as the parser reads it. A request over a limit is refused
 * with {@link ServingException} PAYLOAD_TOO_LARGE (HTTP 413) naming the limit and its configuration key. The body
 * size itself is bounded by {@code cnai.events.max-bytes} before the body is buffered.
 */
public interface ServingLimits {
    /** Configuration keys (infer's {@code cnai.infer.limits.*}). */
    String MAX_TENSOR_ELEMENTS = "cnai.infer.limits.max-tensor-elements";
    String MAX_ROWS = "cnai.infer.limits.max-rows";
    String MAX_STRING_LENGTH = "cnai.infer.limits.max-string-length";

    /** The defaults: 2^20 values (4 MiB as FP32), 1024 rows (the CloudEvent schema's limit), 1024 characters. */
    ServingLimits DEFAULTS = of(1L << 20, 1024, 1024);

    /** Most values one input tensor may declare (product of its shape) or hold. */
    long maxTensorElements();

    /** Most rows ({@code N} of {@code [N, features]}) one request may hold. */
    int maxRows();

    /** Longest string (id, name, datatype, parameter value, object key) a request may hold, in characters. */
    int maxStringLength();

    /** Limits given by value, checked. */
    static ServingLimits of(long maxTensorElements, int maxRows, int maxStringLength) {
        record Values(long maxTensorElements, int maxRows, int maxStringLength) implements ServingLimits {
        }
        return checked(new Values(maxTensorElements, maxRows, maxStringLength));
    }

    /**
     * {@code limits}, after checking every value is positive (and a tensor fits one Java array).
     *
     * @throws IllegalArgumentException naming the key of a value out of range
     */
    static ServingLimits checked(ServingLimits limits) {
        positive(MAX_TENSOR_ELEMENTS, limits.maxTensorElements(), Integer.MAX_VALUE - 8);
        positive(MAX_ROWS, limits.maxRows(), Integer.MAX_VALUE);
        positive(MAX_STRING_LENGTH, limits.maxStringLength(), Integer.MAX_VALUE);
        return limits;
    }

    private static void positive(String key, long value, long max) {
        if (value < 1 || value > max) {
            throw new IllegalArgumentException(key + " is " + value + "; it must be between 1 and " + max);
        }
    }
}
