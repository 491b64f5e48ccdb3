package dev.cnai.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A classifier loaded into ONNX Runtime (CPU) from the bytes {@link OnnxExporter} writes: one float input
 * [batch, features], outputs {@code probabilities} [batch, classes] and {@code label} [batch].
 * Safe for concurrent {@link #predict} calls.
 */
public final class OnnxModel implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String inputName;
    private final int features;
    private final int classes;
    private final Map<String, String> metadata;

    private OnnxModel(OrtEnvironment env, OrtSession session, String inputName, int features, int classes,
            Map<String, String> metadata) {
        this.env = env;
        this.session = session;
        this.inputName = inputName;
        this.features = features;
        this.classes = classes;
        this.metadata = metadata;
    }

    /**
     * Creates a session from serialised ONNX bytes on the shared environment.
     *
     * @param intraOpThreads threads per operator; 0 or less lets ONNX Runtime choose
     * @throws OnnxException {@code invalidModel} when the bytes are not a loadable classifier of the expected form
     */
    public static OnnxModel load(byte[] onnx, int intraOpThreads) {
        if (onnx == null || onnx.length == 0) {
            throw OnnxException.invalidModel("no bytes", null);
        }
        OrtEnvironment env = OnnxRuntimes.environment();
        OrtSession session;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            if (intraOpThreads > 0) {
                options.setIntraOpNumThreads(intraOpThreads);
            }
            session = env.createSession(onnx, options);
        } catch (OrtException e) {
            throw OnnxException.invalidModel("ONNX Runtime cannot load it", e);
        }
        try {
            if (session.getNumInputs() != 1) {
                throw OnnxException.invalidModel("expected 1 input, found " + session.getInputNames(), null);
            }
            Map.Entry<String, NodeInfo> input = session.getInputInfo().entrySet().iterator().next();
            int features = secondDim(input.getValue(), OnnxJavaType.FLOAT, "input " + input.getKey());
            Map<String, NodeInfo> outputs = session.getOutputInfo();
            if (!outputs.containsKey(OnnxExporter.PROBABILITIES) || !outputs.containsKey(OnnxExporter.LABEL)) {
                throw OnnxException.invalidModel("expected outputs " + OnnxExporter.PROBABILITIES + " and "
                        + OnnxExporter.LABEL + ", found " + outputs.keySet(), null);
            }
            int classes = secondDim(outputs.get(OnnxExporter.PROBABILITIES), OnnxJavaType.FLOAT,
                    "output " + OnnxExporter.PROBABILITIES);
            Map<String, String> meta = Collections.unmodifiableMap(
                    new TreeMap<>(session.getMetadata().getCustomMetadata()));
            return new OnnxModel(env, session, input.getKey(), features, classes, meta);
        } catch (OrtException | RuntimeException e) {
            closeQuietly(session, e);
            if (e instanceof OnnxException oe) {
                throw oe;
            }
            throw OnnxException.invalidModel("cannot read its signature", e);
        }
    }

    /** Name of the graph input. */
    public String inputName() {
        return inputName;
    }

    /** Number of features each input row holds. */
    public int features() {
        return features;
    }

    /** Number of classes of the probabilities output. */
    public int classes() {
        return classes;
    }

    /** The model's {@code metadata_props}, sorted by key. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Runs the model on {@code rows} raw (un-normalised) rows, row-major.
     *
     * @throws OnnxException {@code invalidInput} when {@code x} does not hold rows × features finite values
     */
    public Prediction predict(float[] x, int rows) {
        if (x == null || rows < 1 || (long) rows * features != x.length) {
            throw OnnxException.invalidInput("expected shape [" + rows + ", " + features + "] = " + (long) rows * features
                    + " values (rows ≥ 1), got " + (x == null ? "no" : String.valueOf(x.length)) + " values");
        }
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                throw OnnxException.invalidInput("value " + x[i] + " at row " + i / features + ", feature "
                        + i % features + " is not finite");
            }
        }
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {rows, features});
                OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
            float[] probabilities = floats(result, rows);
            long[] labels = longs(result, rows);
            return new Prediction(rows, classes, probabilities, labels);
        } catch (OrtException e) {
            throw OnnxException.runtime("predicting " + rows + " rows", e);
        }
    }

    /** Closes the session; the shared environment stays open. */
    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw OnnxException.runtime("closing the session", e);
        }
    }

    private float[] floats(OrtSession.Result result, int rows) throws OrtException {
        OnnxValue v = result.get(OnnxExporter.PROBABILITIES)
                .orElseThrow(() -> OnnxException.invalidModel("no probabilities output", null));
        FloatBuffer fb = ((OnnxTensor) v).getFloatBuffer();
        if (fb == null || fb.remaining() != rows * classes) {
            throw OnnxException.invalidModel("probabilities output does not hold " + rows + " × " + classes
                    + " floats", null);
        }
        float[] out = new float[rows * classes];
        fb.get(out);
        return out;
    }

    private static long[] longs(OrtSession.Result result, int rows) throws OrtException {
        OnnxValue v = result.get(OnnxExporter.LABEL)
                .orElseThrow(() -> OnnxException.invalidModel("no label output", null));
        LongBuffer lb = ((OnnxTensor) v).getLongBuffer();
        if (lb == null || lb.remaining() != rows) {
            throw OnnxException.invalidModel("label output does not hold " + rows + " int64 values", null);
        }
        long[] out = new long[rows];
        lb.get(out);
        return out;
    }

    private static int secondDim(NodeInfo info, OnnxJavaType type, String what) {
        if (!(info.getInfo() instanceof TensorInfo t) || t.type != type || t.getShape().length != 2
                || t.getShape()[1] < 1 || t.getShape()[1] > Integer.MAX_VALUE) {
            throw OnnxException.invalidModel(what + " must be a " + type + " tensor [batch, n], found "
                    + info.getInfo(), null);
        }
        return (int) t.getShape()[1];
    }

    private static void closeQuietly(OrtSession session, Exception primary) {
        try {
            session.close();
        } catch (OrtException | RuntimeException e) {
            primary.addSuppressed(e);
        }
    }
}
