package dev.cnai.training;

/**
 * Outcome of local training on one shard.
 *
 * @param weights  the trained weights
 * @param meanLoss mean training cross-entropy over the last local epoch (data term, without L2)
 * @param samples  number of rows trained on (the FedAvg weight of this update)
 */
public record TrainResult(Weights weights, double meanLoss, int samples) {
}
