package dev.cnai.training.impl;

/**
 * Chooses, epoch by epoch, for {@link TunedSession}, between the session on the configured intra-op threads
 * (option 0) and one on a single thread (option 1), by measured time per row, as cuDNN's benchmark mode chooses
 * among algorithms that compute the same result. Only used where the two sessions give bit-identical weights
 * (dense models on the CPU; {@code OnnxTrainerTest.denseModelsTrainBitIdenticallyOnOneAndTwoThreads}).
 *
 * <p>Why: an epoch is hundreds of ~100 µs operators, each a fork-join across the intra-op threads. On a VM whose
 * vCPUs answer each other slowly at times, those joins wait, and one thread then trains faster than two while a
 * large GEMM still scales: bench-train measured 1 thread 1.27× faster than 2 in one run, and 2 threads 1.4–1.5×
 * faster than 1 minutes later.
 *
 * <p>Each option is measured twice before any choice (the first run of a session pays its allocations); then the
 * faster by the lower of its last two measurements runs, and every {@value #REPROBE_EVERY}th epoch the other one
 * runs once, so a change of the machine is noticed. Thread-safe.
 */
final class ThreadTuner {
    /** Every this many epochs after the first four, the slower option runs once. */
    static final int REPROBE_EVERY = 16;
    private final double[][] last = {{Double.NaN, Double.NaN}, {Double.NaN, Double.NaN}};
    private final int[] runs = new int[2];
    private long epochs;

    /** The option the next epoch should run on. */
    synchronized int next() {
        if (runs[0] < 2 || runs[1] < 2) {
            return runs[1] < runs[0] ? 1 : 0;
        }
        int faster = faster();
        return (epochs - 4) % REPROBE_EVERY == REPROBE_EVERY - 1 ? 1 - faster : faster;
    }

    /** Records that an epoch on {@code option} took {@code secondsPerRow}. */
    synchronized void record(int option, double secondsPerRow) {
        last[option][runs[option] % 2] = secondsPerRow;
        runs[option]++;
        epochs++;
    }

    /** The option that is faster so far (0 until both were measured twice). */
    synchronized int faster() {
        if (runs[0] < 2 || runs[1] < 2) {
            return 0;
        }
        return score(1) < score(0) ? 1 : 0;
    }

    /** The lower of an option's last two seconds per row. */
    synchronized double score(int option) {
        return Math.min(last[option][0], last[option][1]);
    }
}
