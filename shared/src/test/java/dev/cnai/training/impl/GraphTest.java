package dev.cnai.training.impl;

import static dev.cnai.training.impl.Graph.attr;
import static dev.cnai.training.impl.Graph.attrs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import dev.cnai.training.impl.Graph.Value;
import java.util.List;
import org.junit.jupiter.api.Test;

class GraphTest {
    @Test
    void nodesAreCheckedAgainstTheirOpSchema() {
        Graph g = new Graph("g", "");
        Value x = g.input("x", Graph.FLOAT, new long[] {-1, 3});
        IllegalArgumentException arity = assertThrows(IllegalArgumentException.class, () -> g.op(Op.GEMM, x));
        assertTrue(arity.getMessage().contains("Gemm") && arity.getMessage().contains("2 to 3"), arity.getMessage());
        IllegalArgumentException attribute = assertThrows(IllegalArgumentException.class,
                () -> g.op(Op.RELU, attrs(attr("axis", 1)), x));
        assertTrue(attribute.getMessage().contains("Relu") && attribute.getMessage().contains("axis"),
                attribute.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> g.op(Op.SOFTMAX, attrs(attr("axes", 1)), x));
        assertTrue(unknown.getMessage().contains("Softmax") && unknown.getMessage().contains("allowed: axis"),
                unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> g.op(Op.SOFTMAX, attrs(attr("axis", 1), attr("axis", 0)), x));
        assertThrows(IllegalArgumentException.class, () -> g.ops(Op.RELU, 2, attrs(), x));
        assertThrows(IllegalArgumentException.class, () -> g.op(Op.WHERE, x, x));
        assertThrows(NullPointerException.class, () -> new Value(null));
        // rejected nodes are not added
        assertEquals(0, g.build().getNodeCount());
    }

    @Test
    void namesAreGeneratedDeterministically() throws Exception {
        Graph g = new Graph("g", "p_");
        Value x = g.input("x", Graph.FLOAT, new long[] {-1, 4}, "batch");
        List<Value> pooled = g.ops(Op.MAX_POOL, 2, attrs(attr("kernel_shape", 2, 2)), x);
        assertEquals(List.of(new Value("p_maxpool_0"), new Value("p_maxpool_0_1")), pooled);
        Value c = g.constant(new float[] {1, 2}, 2);
        assertEquals("p_const_1", c.name());
        Value y = g.opTo("y", Op.ADD, attrs(), pooled.get(0), c);
        g.output(y, Graph.FLOAT, new long[] {-1, 2}, "batch");
        ModelProto m = ModelProto.parseFrom(g.model("test").build().toByteArray());
        assertEquals(Graph.IR_VERSION, m.getIrVersion());
        assertEquals(Graph.OPSET, m.getOpsetImport(0).getVersion());
        NodeProto add = m.getGraph().getNode(1);
        assertEquals("p_Add_2", add.getName());
        assertEquals(List.of("p_maxpool_0", "p_const_1"), add.getInputList());
        assertEquals("batch", m.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
        assertEquals("batch", m.getGraph().getOutput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
        Graph h = new Graph("h", "");
        h.input("x", Graph.FLOAT, new long[] {-1, 4});
        assertEquals("x_d0", h.build().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
    }

    @Test
    void stateTensorsKeepTheirNamesAndShapes() {
        Layout layout = Layout.of(dev.cnai.training.Architecture.mlp(4), 3, 2);
        assertEquals("v_W0", TrainingGraphs.StateRole.VELOCITY.of("W0"));
        assertEquals("m_b1", TrainingGraphs.StateRole.FIRST_MOMENT.of("b1"));
        assertEquals("s_W1", TrainingGraphs.StateRole.SECOND_MOMENT.of("W1"));
        assertArrayEquals(new long[] {3, 4}, TrainingGraphs.shape(layout, "s_W0"));
        assertArrayEquals(new long[] {2}, TrainingGraphs.shape(layout, "v_b1"));
        assertArrayEquals(new long[0], TrainingGraphs.shape(layout, TrainingGraphs.STEP_COUNTER));
        assertThrows(IllegalArgumentException.class, () -> TrainingGraphs.shape(layout, "x_W0"));
    }
}
