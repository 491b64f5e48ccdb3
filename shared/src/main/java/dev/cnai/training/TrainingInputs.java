package dev.cnai.training;

import dev.cnai.data.Dataset;
import java.util.SplittableRandom;

/**
 * What both engines check before training (the options were checked once, by {@link TrainingConfig}), and the shuffle they share: the ONNX Runtime engine
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
}
