package dev.cnai.events;

import java.util.List;

/**
 * The model to train, as it arrives on the wire ({@code model} in {@code run.requested});
 * {@code dev.cnai.training.Architecture} parses it once.
 *
 * @param family {@code softmax} (softmax regression), {@code mlp} (ReLU hidden layers) or {@code cnn} (convolution
 *               blocks over a square one-channel image, then dense layers)
 * @param hidden widths of the hidden ReLU dense layers (mlp default [128]; cnn default [], i.e. one dense layer
 *               from the flattened feature maps to the classes); ignored for softmax
 * @param conv   output channels of the cnn's 5×5 convolution + ReLU + 2×2 max-pool blocks (default [8, 16]);
 *               ignored for softmax and mlp. The image side is √features and must be a whole number.
 */
public record ModelSpec(String family, List<Integer> hidden, List<Integer> conv) {
}
