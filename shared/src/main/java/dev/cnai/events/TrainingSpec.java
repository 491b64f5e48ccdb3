package dev.cnai.events;

/**
 * Federated training hyper-parameters as they arrive on the wire ({@code training} in {@code run.requested}).
 * Every field is optional; {@code dev.cnai.training.TrainingConfig} parses this once, writes the defaults and
 * checks the ranges. See {@code docs/events.md} for the defaults.
 *
 * @param rounds       maximum FedAvg rounds
 * @param localEpochs  epochs each shard trains per round
 * @param batchSize    mini-batch size
 * @param learningRate step size
 * @param momentum     SGD momentum (ignored by adam)
 * @param l2           L2 weight decay on the W/K tensors, added to the gradient
 * @param patience     rounds without validation-loss improvement before early stop
 * @param seed         seed of initialisation and shuffling
 * @param optimizer    {@code sgd} (with momentum) or {@code adam}
 * @param beta1        Adam's first-moment decay (ignored by sgd)
 * @param beta2        Adam's second-moment decay (ignored by sgd)
 * @param engine       {@code onnx} (the ONNX Runtime engine) or {@code java} (the plain-Java reference)
 * @param provider     ONNX Runtime execution provider: {@code cpu}, {@code cuda} or {@code auto}
 * @param lrDecay      learning-rate multiplier per FedAvg round
 * @param augment      largest random translation, in pixels, applied to every training image in every epoch
 */
public record TrainingSpec(Integer rounds, Integer localEpochs, Integer batchSize, Double learningRate,
        Double momentum, Double l2, Integer patience, Long seed, String optimizer, Double beta1, Double beta2,
        String engine, String provider, Double lrDecay, Integer augment) {
}
