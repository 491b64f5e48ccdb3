package dev.cnai.training;

import dev.cnai.data.Dataset;

/** A double-precision model of the plain-Java reference: batched forward, softmax cross-entropy, backward. */
interface Backprop {
    /** Loads rows {@code order[from..from+n)} (or {@code from..from+n} when order is null), normalised. */
    void input(Dataset data, int[] order, int from, int n);

    /** Forward pass over the loaded n rows; returns the summed cross-entropy of their labels. */
    double forward(int n);

    /** Probabilities of the last forward pass, row-major n × classes. */
    double[] probabilities();

    void zeroGradients();

    /** Accumulates {@code scale ×} the gradient of the summed cross-entropy of the last forward pass. */
    void backward(int n, double scale);

    /** Parameter arrays in weight order (the order of {@link Architecture#parameterShapes}). */
    double[][] params();

    /** Gradient arrays, parallel to {@link #params()}. */
    double[][] grads();

    /** Whether L2 decay applies to each parameter (weights yes, biases no). */
    boolean[] decays();

    /** Sum of squared entries of every decayed parameter. */
    double squaredWeights();

    /** Rows per batch. */
    int capacity();

    Weights parameters();

    Weights gradients();
}
