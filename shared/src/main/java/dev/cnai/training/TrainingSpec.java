package dev.cnai.training;

/**
 * Federated training hyper-parameters. Null fields take the defaults of {@link #withDefaults()}.
 *
 * @param rounds       maximum FedAvg rounds (default 10)
 * @param localEpochs  epochs each shard trains per round (default 1)
 * @param batchSize    mini-batch size (default 32)
 * @param learningRate SGD step size (default 0.05)
 * @param momentum     SGD momentum (default 0.9)
 * @param l2           L2 weight decay (default 1e-4)
 * @param patience     rounds without validation-loss improvement before early stop (default 3)
 * @param seed         seed of initialisation and shuffling (default 42)
 */
public record TrainingSpec(Integer rounds, Integer localEpochs, Integer batchSize, Double learningRate,
        Double momentum, Double l2, Integer patience, Long seed) {

    public TrainingSpec withDefaults() {
        return new TrainingSpec(rounds == null ? 10 : rounds, localEpochs == null ? 1 : localEpochs,
                batchSize == null ? 32 : batchSize, learningRate == null ? 0.05 : learningRate,
                momentum == null ? 0.9 : momentum, l2 == null ? 1e-4 : l2, patience == null ? 3 : patience,
                seed == null ? 42L : seed);
    }
}
