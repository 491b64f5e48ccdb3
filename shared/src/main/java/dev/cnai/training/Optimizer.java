package dev.cnai.training;

/**
 * The local optimiser of a run, with its own hyper-parameters (validated on construction). The ONNX Runtime engine
 * builds each one's state and update into the epoch graph ({@code impl/TrainingGraphs}); the plain-Java reference
 * trains with {@link Sgd} only. A new optimiser is a new permitted record.
 */
public sealed interface Optimizer permits Optimizer.Sgd, Optimizer.Adam {
    /** SGD's default momentum. */
    double DEFAULT_MOMENTUM = 0.9;
    /** Adam's default first-moment decay. */
    double DEFAULT_BETA1 = 0.9;
    /** Adam's default second-moment decay. */
    double DEFAULT_BETA2 = 0.999;

    /** Stochastic gradient descent with (heavy-ball) momentum in [0, 1). */
    record Sgd(double momentum) implements Optimizer {
        public Sgd {
            if (!(momentum >= 0 && momentum < 1)) {
                throw TrainingException.invalidSpec("momentum must be in [0, 1), got " + momentum);
            }
        }

        @Override
        public String name() {
            return "sgd";
        }

        @Override
        public double defaultLearningRate() {
            return 0.05;
        }
    }

    /** Adam with bias correction; both decays in [0, 1). */
    record Adam(double beta1, double beta2) implements Optimizer {
        public Adam {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw TrainingException.invalidSpec("adam's beta1 and beta2 must be in [0, 1), got " + beta1 + ", "
                        + beta2);
            }
        }

        @Override
        public String name() {
            return "adam";
        }

        @Override
        public double defaultLearningRate() {
            return 0.001;
        }
    }

    /** The wire name: {@code sgd} or {@code adam}. */
    String name();

    /** The learning rate a run with this optimiser gets when it names none. */
    double defaultLearningRate();
}
