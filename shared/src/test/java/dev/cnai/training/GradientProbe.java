package dev.cnai.training;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.cnai.data.Dataset;
import dev.cnai.events.NormStats;
import dev.cnai.training.impl.Providers;
import dev.cnai.training.impl.Staging;
import dev.cnai.training.impl.TrainingGraphs;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The gradient checks' hook into the ONNX Runtime engine (formerly {@code OnnxTrainer.lossAndGradient}): loss and
 * gradient computed by the engine's generated backward graph ({@link TrainingGraphs#gradient}) for the engine's
 * model, on its provider and threads. Test code only, so the engine carries no test hook.
 */
final class GradientProbe {
    private GradientProbe() {
    }

    /** Loss and gradient at one point. */
    record LossAndGradient(double loss, Weights gradient) {
    }

    /**
     * Loss (mean cross-entropy + {@code l2/2 Σ W²}) and its gradient for every parameter, computed by the
     * engine's generated backward graph on the whole of {@code data}.
     */
    static LossAndGradient lossAndGradient(OnnxTrainer engine, Weights w, Dataset data, NormStats stats,
            double l2) {
        TrainingInputs.checkData(data);
        engine.checkShapes(w, data);
        NormStats.require(stats, TrainingException::invalidSpec);
        byte[] graph = TrainingGraphs.gradient(engine.layout(), l2);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<OnnxTensor> owned = new ArrayList<>();
        Staging staging = new Staging();
        Providers.Choice choice = Providers.choose(Provider.parse(engine.provider()), engine.threads());
        try (OrtSession.SessionOptions so = choice.options(); OrtSession s = env.createSession(graph, so)) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put(TrainingGraphs.X, track(owned, OnnxTensor.createTensor(env, staging.raw(data),
                    new long[] {data.rows(), data.features()})));
            inputs.put(TrainingGraphs.MEAN, track(owned, OnnxTensor.createTensor(env, (float) stats.mean())));
            inputs.put(TrainingGraphs.STD, track(owned, OnnxTensor.createTensor(env, (float) stats.std())));
            inputs.put(TrainingGraphs.Y, track(owned, OnnxTensor.createTensor(env, staging.oneHot(data),
                    new long[] {data.rows(), data.classes()})));
            for (Tensor t : w.tensors()) {
                inputs.put(t.name(), track(owned, OnnxTensor.createTensor(env, FloatBuffer.wrap(t.data()),
                        Staging.shape(t))));
            }
            try (OrtSession.Result r = s.run(inputs)) {
                float loss = ((OnnxTensor) r.get(TrainingGraphs.LOSS).orElseThrow()).getFloatBuffer().get(0);
                List<Tensor> grads = new ArrayList<>();
                for (Tensor t : w.tensors()) {
                    grads.add(new Tensor(t.name(), t.shape(),
                            Staging.floats((OnnxTensor) r.get("grad_" + t.name()).orElseThrow())));
                }
                return new LossAndGradient(loss, new Weights(grads));
            }
        } catch (OrtException e) {
            throw TrainingException.runtime("computing gradients of " + engine.layout().describe(), e);
        } finally {
            owned.forEach(OnnxTensor::close);
        }
    }

    private static OnnxTensor track(List<OnnxTensor> owned, OnnxTensor tensor) {
        owned.add(tensor);
        return tensor;
    }
}
