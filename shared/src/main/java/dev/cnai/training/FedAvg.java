package dev.cnai.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Federated averaging of shard updates. */
public final class FedAvg {
    private FedAvg() {
    }

    /**
     * Average of the updates weighted by their sample counts: {@code Σ n_k w_k / Σ n_k}, computed in double in
     * list order and rounded to float once. All updates must hold the same tensor names and shapes, in order.
     *
     * @throws TrainingException {@code incompatible} when the updates differ in layout; {@code invalidSpec} on
     *                           bad counts
     */
    public static Weights average(List<Weights> updates, List<Integer> sampleCounts) {
        if (updates == null || updates.isEmpty()) {
            throw TrainingException.invalidSpec("FedAvg needs at least one update");
        }
        if (sampleCounts == null || sampleCounts.size() != updates.size()) {
            throw TrainingException.invalidSpec("FedAvg needs one sample count per update: " + updates.size()
                    + " updates, " + (sampleCounts == null ? 0 : sampleCounts.size()) + " counts");
        }
        long total = 0;
        for (Integer c : sampleCounts) {
            if (c == null || c < 0) {
                throw TrainingException.invalidSpec("sample counts must be ≥ 0, got " + sampleCounts);
            }
            total += c;
        }
        if (total == 0) {
            throw TrainingException.invalidSpec("sample counts sum to 0");
        }
        List<Tensor> first = updates.get(0).tensors();
        for (int k = 1; k < updates.size(); k++) {
            List<Tensor> other = updates.get(k).tensors();
            if (other.size() != first.size()) {
                throw TrainingException.incompatible("update " + k + " has " + other.size() + " tensors, update 0 has "
                        + first.size());
            }
            for (int t = 0; t < first.size(); t++) {
                Tensor a = first.get(t);
                Tensor b = other.get(t);
                if (!a.name().equals(b.name()) || !Arrays.equals(a.shape(), b.shape())) {
                    throw TrainingException.incompatible("update " + k + " has tensor " + b.name() + " "
                            + Arrays.toString(b.shape()) + " where update 0 has " + a.name() + " "
                            + Arrays.toString(a.shape()));
                }
            }
        }
        List<Tensor> result = new ArrayList<>(first.size());
        for (int t = 0; t < first.size(); t++) {
            double[] acc = new double[first.get(t).size()];
            for (int k = 0; k < updates.size(); k++) {
                double n = sampleCounts.get(k);
                if (n == 0) {
                    continue;
                }
                float[] d = updates.get(k).tensors().get(t).data();
                for (int i = 0; i < acc.length; i++) {
                    acc[i] += n * d[i];
                }
            }
            float[] out = new float[acc.length];
            for (int i = 0; i < acc.length; i++) {
                out[i] = (float) (acc[i] / total);
            }
            result.add(new Tensor(first.get(t).name(), first.get(t).shape().clone(), out));
        }
        return new Weights(result);
    }
}
