package dev.cnai.serving;

import dev.cnai.events.InferenceCompleted;
import dev.cnai.events.InferenceRequested;
import dev.cnai.onnx.Prediction;
import dev.cnai.serving.ModelServer.Loaded;
import dev.cnai.serving.ModelServer.Rows;
import dev.cnai.serving.ModelServer.Slice;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Batch assembly of {@link ModelServer#predictBatch}: concatenate the requests' rows, predict once, split. */
final class BatchAssembly {
    private BatchAssembly() {
    }

    /** One ONNX Runtime call for every request of {@code batch} that fits {@code loaded}; one slice per request. */
    static List<Slice> predict(Loaded loaded, List<Rows> batch) {
        int f = loaded.model().features();
        int total = 0;
        for (Rows r : batch) {
            if (fits(r, f)) {
                total += r.count();
            }
        }
        Prediction p = null;
        if (total > 0) {
            float[] x;
            if (batch.size() == 1) {
                x = batch.get(0).values();
            } else {
                x = new float[total * f];
                int at = 0;
                for (Rows r : batch) {
                    if (fits(r, f)) {
                        System.arraycopy(r.values(), 0, x, at, r.values().length);
                        at += r.values().length;
                    }
                }
            }
            p = loaded.model().predict(x, total);
        }
        List<Slice> out = new ArrayList<>(batch.size());
        int row = 0;
        for (Rows r : batch) {
            if (fits(r, f)) {
                out.add(new Slice(loaded, p, row, r.count(), null));
                row += r.count();
            } else {
                out.add(new Slice(loaded, null, 0, r.count(), ServingException.invalid("model " + loaded.name()
                        + " was swapped to " + loaded.version() + ", which expects " + f + " features per row")));
            }
        }
        return out;
    }

    private static boolean fits(Rows r, int features) {
        return r.values().length == r.count() * features;
    }

    static InferenceCompleted completed(InferenceRequested req, String modelName, Slice s) {
        Prediction p = s.batch();
        int c = p.classes();
        int[] labels = new int[s.count()];
        float[][] probs = new float[s.count()][];
        for (int i = 0; i < s.count(); i++) {
            int row = s.first() + i;
            labels[i] = (int) p.labels()[row];
            probs[i] = Arrays.copyOfRange(p.probabilities(), row * c, (row + 1) * c);
        }
        return new InferenceCompleted(req.runId(), modelName, s.served().version(), s.served().modelDigest(), labels,
                probs);
    }
}
