package dev.cnai.onnx;

import static dev.cnai.testing.Configs.arch;
import static dev.cnai.testing.Configs.opts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import dev.cnai.data.Dataset;
import dev.cnai.events.NormStats;
import dev.cnai.errors.ErrorKind;
import dev.cnai.training.JavaModel;
import dev.cnai.training.JavaTrainer;
import dev.cnai.training.Architecture;
import dev.cnai.training.TestData;
import dev.cnai.training.TrainingException;
import dev.cnai.training.TrainingConfig;
import dev.cnai.training.Weights;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OnnxExportTest {
    private static final NormStats STATS = new NormStats(1.5, 2.5);
    private static final Map<String, String> META = Map.of("cnai.run", "run-1", "cnai.family", "test");

    @Test
    void softmaxExportMatchesJavaModel() throws Exception {
        assertMatchesJava(arch("softmax", null), 12, 4);
    }

    @Test
    void mlpExportMatchesJavaModel() throws Exception {
        assertMatchesJava(arch("mlp", List.of(32, 16)), 20, 7);
    }

    /**
     * A seeded two-block CNN over 20×20 images (20 → 16 → 8 → 4 → 2), trained one epoch in Java. The float32 ONNX
     * graph (Conv/Relu/MaxPool in ONNX Runtime) and the double Java reference differ only by rounding: 1e-5 on the
     * probabilities, as for the dense models.
     */
    @Test
    void cnnExportMatchesJavaModel() throws Exception {
        assertMatchesJava(arch("cnn", List.of(6), List.of(3, 4)), 400, 3, 1e-5);
    }

    private static void assertMatchesJava(Architecture spec, int features, int classes) {
        assertMatchesJava(spec, features, classes, 1e-5);
    }

    private static void assertMatchesJava(Architecture spec, int features, int classes, double tolerance) {
        Dataset data = TestData.blobs(300, features, classes, 2.0, 1.0, 5);
        Weights w = JavaTrainer.train(spec, spec.initialize(features, classes, 3), data, STATS,
                opts(null, 1, 32, 0.05, 0.9, 1e-4, null, null), 9).weights();
        byte[] onnx = OnnxExporter.export(spec, w, STATS, features, classes, META);
        float[] expected = JavaModel.predictProba(spec, w, data, STATS);
        try (OnnxModel model = OnnxModel.load(onnx, 1)) {
            assertEquals(features, model.features());
            assertEquals(classes, model.classes());
            assertEquals(META, model.metadata());
            Prediction p = model.predict(data.x(), data.rows());
            assertEquals(data.rows(), p.rows());
            assertEquals(classes, p.classes());
            assertEquals(expected.length, p.probabilities().length);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], p.probabilities()[i], tolerance, "probability " + i);
            }
            for (int r = 0; r < data.rows(); r++) {
                assertEquals(argmax(p.probabilities(), r, classes), p.labels()[r], "label of row " + r);
                assertEquals(argmax(expected, r, classes), p.labels()[r], "Java label of row " + r);
            }
            Prediction one = model.predict(Arrays.copyOf(data.x(), features), 1);
            assertEquals(1, one.labels().length);
        }
    }

    private static int argmax(float[] p, int row, int classes) {
        int best = 0;
        for (int k = 1; k < classes; k++) {
            if (p[row * classes + k] > p[row * classes + best]) {
                best = k;
            }
        }
        return best;
    }

    @Test
    void exportIsByteDeterministicAndWellFormed() throws Exception {
        Architecture spec = arch("mlp", List.of(8));
        Weights w = spec.initialize(5, 3, 1);
        byte[] a = OnnxExporter.export(spec, w, STATS, 5, 3, META);
        byte[] b = OnnxExporter.export(spec, Weights.decode(w.encode()), STATS, 5, 3, Map.copyOf(META));
        assertArrayEquals(a, b);
        assertNotEquals(Arrays.hashCode(a), Arrays.hashCode(OnnxExporter.export(spec, w, STATS, 5, 3, Map.of())));
        OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(a);
        assertEquals(8, m.getIrVersion());
        assertEquals("cnai-functions", m.getProducerName());
        assertEquals(17, m.getOpsetImport(0).getVersion());
        assertEquals("batch", m.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
        assertEquals(List.of("probabilities", "label"),
                m.getGraph().getOutputList().stream().map(OnnxMl.ValueInfoProto::getName).toList());
        assertEquals(List.of("cnai.family", "cnai.run"),
                m.getMetadataPropsList().stream().map(OnnxMl.StringStringEntryProto::getKey).toList());
    }

    /** The exported graph is the network's row-major forward pass: one Gemm per dense layer, single-output MaxPool. */
    @Test
    void exportedGraphIsTheInferenceForwardPass() throws Exception {
        Architecture spec = arch("cnn", List.of(6), List.of(3, 4));
        OnnxMl.GraphProto g = OnnxMl.ModelProto.parseFrom(
                OnnxExporter.export(spec, spec.initialize(400, 3, 1), STATS, 400, 3, null)).getGraph();
        assertEquals(List.of("Sub", "Div", "Reshape", "Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Flatten",
                "Gemm", "Relu", "Gemm", "Softmax", "ArgMax"),
                g.getNodeList().stream().map(OnnxMl.NodeProto::getOpType).toList());
        assertTrue(g.getNodeList().stream().allMatch(n -> n.getOutputCount() == 1));
        assertEquals(List.of("norm_mean", "norm_std", "K0", "c0", "K1", "c1", "W0", "b0", "W1", "b1"),
                g.getInitializerList().stream().map(OnnxMl.TensorProto::getName).limit(10).toList());
        assertEquals(List.of("input"), g.getInputList().stream().map(OnnxMl.ValueInfoProto::getName).toList());
    }

    @Test
    void wrongShapeAndNonFiniteInputsAreInvalidInput() {
        Architecture spec = arch("softmax", null);
        byte[] onnx = OnnxExporter.export(spec, spec.initialize(4, 2, 1), STATS, 4, 2, null);
        try (OnnxModel model = OnnxModel.load(onnx, 0)) {
            OnnxException e = assertThrows(OnnxException.class, () -> model.predict(new float[7], 2));
            assertEquals(ErrorKind.INVALID_INPUT, e.kind());
            assertTrue(e.getMessage().contains("[2, 4]") && e.getMessage().contains("7"), e.getMessage());
            assertEquals(ErrorKind.INVALID_INPUT,
                    assertThrows(OnnxException.class, () -> model.predict(new float[0], 0)).kind());
            float[] nan = new float[8];
            nan[5] = Float.NaN;
            assertEquals(ErrorKind.INVALID_INPUT, assertThrows(OnnxException.class, () -> model.predict(nan, 2)).kind());
            float[] inf = new float[4];
            inf[0] = Float.POSITIVE_INFINITY;
            assertEquals(ErrorKind.INVALID_INPUT, assertThrows(OnnxException.class, () -> model.predict(inf, 1)).kind());
        }
    }

    @Test
    void garbageBytesAreAnInvalidModel() {
        OnnxException e = assertThrows(OnnxException.class,
                () -> OnnxModel.load("not an onnx model".getBytes(java.nio.charset.StandardCharsets.UTF_8), 1));
        assertEquals(ErrorKind.INTEGRITY, e.kind());
        assertEquals(ErrorKind.INTEGRITY, assertThrows(OnnxException.class, () -> OnnxModel.load(new byte[0], 1)).kind());
    }

    @Test
    void exportRejectsWeightsThatDoNotFit() {
        Architecture spec = arch("softmax", null);
        Weights w = spec.initialize(4, 2, 1);
        assertThrows(TrainingException.class, () -> OnnxExporter.export(spec, w, STATS, 5, 2, null));
        assertThrows(OnnxException.class, () -> OnnxExporter.export(spec, w, new NormStats(0, 0), 4, 2, null));
    }
}
