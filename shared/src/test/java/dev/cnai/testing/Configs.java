package dev.cnai.testing;

import dev.cnai.events.ModelSpec;
import dev.cnai.events.TrainingSpec;
import dev.cnai.training.Architecture;
import dev.cnai.training.TrainingConfig;
import java.util.List;

/**
 * Short forms of the wire specs and of the validated configuration for tests: the positional arguments of the wire
 * records (null = default), parsed by the production parsers ({@link Architecture#of}, {@link TrainingConfig#of}).
 */
public final class Configs {
    private Configs() {
    }

    /** A wire model spec without convolution blocks. */
    public static ModelSpec modelSpec(String family, List<Integer> hidden) {
        return new ModelSpec(family, hidden, null);
    }

    /** A wire model spec. */
    public static ModelSpec modelSpec(String family, List<Integer> hidden, List<Integer> conv) {
        return new ModelSpec(family, hidden, conv);
    }

    /** A wire training spec with the default optimiser (sgd), engine, provider, decay and augmentation. */
    public static TrainingSpec trainingSpec(Integer rounds, Integer localEpochs, Integer batchSize,
            Double learningRate, Double momentum, Double l2, Integer patience, Long seed) {
        return trainingSpec(rounds, localEpochs, batchSize, learningRate, momentum, l2, patience, seed, null, null,
                null, null, null);
    }

    /** A wire training spec with a constant learning rate and no augmentation. */
    public static TrainingSpec trainingSpec(Integer rounds, Integer localEpochs, Integer batchSize,
            Double learningRate, Double momentum, Double l2, Integer patience, Long seed, String optimizer,
            Double beta1, Double beta2, String engine, String provider) {
        return trainingSpec(rounds, localEpochs, batchSize, learningRate, momentum, l2, patience, seed, optimizer,
                beta1, beta2, engine, provider, null, null);
    }

    /** A wire training spec without augmentation. */
    public static TrainingSpec trainingSpec(Integer rounds, Integer localEpochs, Integer batchSize,
            Double learningRate, Double momentum, Double l2, Integer patience, Long seed, String optimizer,
            Double beta1, Double beta2, String engine, String provider, Double lrDecay) {
        return trainingSpec(rounds, localEpochs, batchSize, learningRate, momentum, l2, patience, seed, optimizer,
                beta1, beta2, engine, provider, lrDecay, null);
    }

    /** A wire training spec. */
    public static TrainingSpec trainingSpec(Integer rounds, Integer localEpochs, Integer batchSize,
            Double learningRate, Double momentum, Double l2, Integer patience, Long seed, String optimizer,
            Double beta1, Double beta2, String engine, String provider, Double lrDecay, Integer augment) {
        return new TrainingSpec(rounds, localEpochs, batchSize, learningRate, momentum, l2, patience, seed, optimizer,
                beta1, beta2, engine, provider, lrDecay, augment);
    }

    /** A parsed architecture without convolution blocks. */
    public static Architecture arch(String family, List<Integer> hidden) {
        return Architecture.of(modelSpec(family, hidden));
    }

    /** A parsed architecture. */
    public static Architecture arch(String family, List<Integer> hidden, List<Integer> conv) {
        return Architecture.of(modelSpec(family, hidden, conv));
    }

    /** {@link #trainingSpec(Integer, Integer, Integer, Double, Double, Double, Integer, Long)}, parsed. */
    public static TrainingConfig opts(Integer rounds, Integer localEpochs, Integer batchSize, Double learningRate,
            Double momentum, Double l2, Integer patience, Long seed) {
        return TrainingConfig.of(trainingSpec(rounds, localEpochs, batchSize, learningRate, momentum, l2, patience,
                seed));
    }

    /** The 13-argument {@code trainingSpec}, parsed. */
    public static TrainingConfig opts(Integer rounds, Integer localEpochs, Integer batchSize, Double learningRate,
            Double momentum, Double l2, Integer patience, Long seed, String optimizer, Double beta1, Double beta2,
            String engine, String provider) {
        return TrainingConfig.of(trainingSpec(rounds, localEpochs, batchSize, learningRate, momentum, l2, patience,
                seed, optimizer, beta1, beta2, engine, provider));
    }

    /** The 14-argument {@code trainingSpec}, parsed. */
    public static TrainingConfig opts(Integer rounds, Integer localEpochs, Integer batchSize, Double learningRate,
            Double momentum, Double l2, Integer patience, Long seed, String optimizer, Double beta1, Double beta2,
            String engine, String provider, Double lrDecay) {
        return TrainingConfig.of(trainingSpec(rounds, localEpochs, batchSize, learningRate, momentum, l2, patience,
                seed, optimizer, beta1, beta2, engine, provider, lrDecay));
    }

    /** The 15-argument {@code trainingSpec}, parsed. */
    public static TrainingConfig opts(Integer rounds, Integer localEpochs, Integer batchSize, Double learningRate,
            Double momentum, Double l2, Integer patience, Long seed, String optimizer, Double beta1, Double beta2,
            String engine, String provider, Double lrDecay, Integer augment) {
        return TrainingConfig.of(trainingSpec(rounds, localEpochs, batchSize, learningRate, momentum, l2, patience,
                seed, optimizer, beta1, beta2, engine, provider, lrDecay, augment));
    }
}
