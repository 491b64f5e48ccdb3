package dev.cnai.training;

import java.util.List;

/**
 * The model to train.
 *
 * @param family {@code softmax} (softmax regression) or {@code mlp} ({@code cnn} arrives with the ONNX Runtime engine)
 * @param hidden widths of the MLP's hidden ReLU layers (default [128]); ignored for softmax
 */
public record ModelSpec(String family, List<Integer> hidden) {
}
