package dev.cnai.onnx;

/**
 * Output of {@link OnnxModel#predict}.
 *
 * @param rows          number of input rows
 * @param classes       number of classes
 * @param probabilities row-major {@code rows × classes}
 * @param labels        predicted class of each row (argmax of its probabilities)
 */
public record Prediction(int rows, int classes, float[] probabilities, long[] labels) {
}
