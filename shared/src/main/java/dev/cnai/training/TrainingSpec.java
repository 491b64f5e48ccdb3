package dev.cnai.training;

import java.util.Locale;

/**
 * Federated training hyper-parameters. Null fields take the defaults of {@link #withDefaults()}.
 *
 * @param rounds       maximum FedAvg rounds (default 10)
 * @param localEpochs  epochs each shard trains per round (default 1)
 * @param batchSize    mini-batch size (default 32)
 * @param learningRate step size (default 0.05 for sgd, 0.001 for adam)
 * @param momentum     SGD momentum (default 0.9; unused by adam)
 * @param l2           L2 weight decay on the W/K tensors, added to the gradient (default 1e-4)
 * @param patience     rounds without validation-loss improvement before early stop (default 3)
 * @param seed         seed of initialisation and shuffling (default 42)
 * @param optimizer    {@code sgd} (with momentum) or {@code adam} (default sgd)
 * @param beta1        Adam's first-moment decay (default 0.9)
 * @param beta2        Adam's second-moment decay (default 0.999)
 * @param engine       {@code onnx} (the ONNX Runtime engine, default) or {@code java} (the plain-Java reference;
 *                     softmax and mlp with sgd only)
 * @param provider     ONNX Runtime execution provider: {@code cpu}, {@code cuda} or {@code auto} (default: CUDA when
 *                     this build and machine offer it, else CPU)
 * @param lrDecay      learning-rate multiplier per FedAvg round: round r trains with
 *                     {@code learningRate · lrDecay^(r-1)} (default 1, a constant rate; in (0, 1])
 * @param augment      largest random translation, in pixels, applied to every training image in every epoch
 *                     (square one-channel images such as MNIST; default 0, off)
 */
public record TrainingSpec(Integer rounds, Integer localEpochs, Integer batchSize, Double learningRate,
        Double momentum, Double l2, Integer patience, Long seed, String optimizer, Double beta1, Double beta2,
        String engine, String provider, Double lrDecay, Integer augment) {
    public static final String SGD = "sgd";
    public static final String ADAM = "adam";
    public static final String ENGINE_ONNX = "onnx";
    public static final String ENGINE_JAVA = "java";

    /** Spec without augmentation. */
    public TrainingSpec(Integer rounds, Integer localEpochs, Integer batchSize, Double learningRate,
            Double momentum, Double l2, Integer patience, Long seed, String optimizer, Double beta1, Double beta2,
            String engine, String provider, Double lrDecay) {
        this(rounds, localEpochs, batchSize, learningRate, momentum, l2, patience, seed, optimizer, beta1, beta2,
                engine, provider, lrDecay, null);
    }

    /** Spec with a constant learning rate across rounds and no augmentation. */
    public TrainingSpec(Integer rounds, Integer localEpochs, Integer batchSize, Double learningRate,
            Double momentum, Double l2, Integer patience, Long seed, String optimizer, Double beta1, Double beta2,
            String engine, String provider) {
        this(rounds, localEpochs, batchSize, learningRate, momentum, l2, patience, seed, optimizer, beta1, beta2,
                engine, provider, null, null);
    }

    /** Spec with the default optimizer (sgd), engine (onnx) and provider (auto). */
    public TrainingSpec(Integer rounds, Integer localEpochs, Integer batchSize, Double learningRate,
            Double momentum, Double l2, Integer patience, Long seed) {
        this(rounds, localEpochs, batchSize, learningRate, momentum, l2, patience, seed, null, null, null, null, null);
    }

    public TrainingSpec withDefaults() {
        String opt = optimizer == null ? SGD : optimizer.trim().toLowerCase(Locale.ROOT);
        return new TrainingSpec(rounds == null ? 10 : rounds, localEpochs == null ? 1 : localEpochs,
                batchSize == null ? 32 : batchSize,
                learningRate == null ? (opt.equals(ADAM) ? 0.001 : 0.05) : learningRate,
                momentum == null ? 0.9 : momentum, l2 == null ? 1e-4 : l2, patience == null ? 3 : patience,
                seed == null ? 42L : seed, opt, beta1 == null ? 0.9 : beta1, beta2 == null ? 0.999 : beta2,
                engine == null ? ENGINE_ONNX : engine.trim().toLowerCase(Locale.ROOT),
                provider == null ? "auto" : provider.trim().toLowerCase(Locale.ROOT), lrDecay == null ? 1.0 : lrDecay,
                augment == null ? 0 : augment);
    }

    /** The defaulted spec that FedAvg round {@code round} (from 1) trains with: its decayed learning rate. */
    public TrainingSpec forRound(int round) {
        TrainingSpec d = withDefaults();
        double lr = d.learningRate() * Math.pow(d.lrDecay(), Math.max(0, round - 1));
        return new TrainingSpec(d.rounds, d.localEpochs, d.batchSize, lr, d.momentum, d.l2, d.patience, d.seed,
                d.optimizer, d.beta1, d.beta2, d.engine, d.provider, d.lrDecay, d.augment);
    }
}
