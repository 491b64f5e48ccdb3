package dev.cnai.training;

import dev.cnai.data.Dataset;
import java.util.SplittableRandom;

/**
 * What both engines check before training, and the shuffle they share: the ONNX Runtime engine
 * ({@link OnnxTrainer}) and its plain-Java oracle ({@link JavaTrainer}) are peers that both use these, so neither
 * depends on the other.
 */
final class TrainingInputs {
    private TrainingInputs() {
    }

    /** Fisher-Yates shuffle of {@code order} in place: the batch order of both engines. */
    static void shuffle(int[] order, SplittableRandom rng) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /** Rejects a missing or empty dataset, a shape that does not match x, bad labels or non-finite values. */
    static void checkData(Dataset d) {
        if (d == null || d.x() == null || d.y() == null) {
            throw TrainingException.invalidData("dataset is missing");
        }
        if (d.rows() == 0) {
            throw TrainingException.invalidData("dataset has no rows");
        }
        if (d.features() < 1 || (long) d.rows() * d.features() != d.x().length) {
            throw TrainingException.invalidData("x holds " + d.x().length + " values but " + d.rows() + " rows × "
                    + d.features() + " features were declared");
        }
        for (int i = 0; i < d.y().length; i++) {
            if (d.y()[i] < 0 || d.y()[i] >= d.classes()) {
                throw TrainingException.invalidData("label " + d.y()[i] + " of row " + i + " is outside [0, "
                        + d.classes() + ")");
            }
        }
        for (int i = 0; i < d.x().length; i++) {
            if (!Float.isFinite(d.x()[i])) {
                throw TrainingException.invalidData("value " + d.x()[i] + " at row " + i / d.features()
                        + ", feature " + i % d.features() + " is not finite");
            }
        }
    }

    /** Rejects option values outside their ranges (options with defaults applied). */
    static void checkOptions(TrainingSpec o) {
        if (o.localEpochs() < 1) {
            throw TrainingException.invalidSpec("localEpochs must be ≥ 1, got " + o.localEpochs());
        }
        if (o.batchSize() < 1) {
            throw TrainingException.invalidSpec("batchSize must be ≥ 1, got " + o.batchSize());
        }
        if (!(o.learningRate() > 0) || !Double.isFinite(o.learningRate())) {
            throw TrainingException.invalidSpec("learningRate must be a positive number, got " + o.learningRate());
        }
        if (!(o.momentum() >= 0 && o.momentum() < 1)) {
            throw TrainingException.invalidSpec("momentum must be in [0, 1), got " + o.momentum());
        }
        if (!(o.l2() >= 0) || !Double.isFinite(o.l2())) {
            throw TrainingException.invalidSpec("l2 must be ≥ 0, got " + o.l2());
        }
        if (o.lrDecay() != null && !(o.lrDecay() > 0 && o.lrDecay() <= 1)) {
            throw TrainingException.invalidSpec("lrDecay must be in (0, 1], got " + o.lrDecay());
        }
        if (o.augment() != null && o.augment() < 0) {
            throw TrainingException.invalidSpec("augment must be ≥ 0 pixels, got " + o.augment());
        }
    }

    /** The ONNX Runtime engine's optimiser options: sgd or adam, and adam's betas in [0, 1). */
    static void checkOptimizer(TrainingSpec o) {
        if (!o.optimizer().equals(TrainingSpec.SGD) && !o.optimizer().equals(TrainingSpec.ADAM)) {
            throw TrainingException.invalidSpec("optimizer must be sgd or adam, got '" + o.optimizer() + "'");
        }
        if (!(o.beta1() >= 0 && o.beta1() < 1) || !(o.beta2() >= 0 && o.beta2() < 1)) {
            throw TrainingException.invalidSpec("adam's beta1 and beta2 must be in [0, 1), got " + o.beta1() + ", "
                    + o.beta2());
        }
    }
}
