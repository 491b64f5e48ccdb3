package dev.cnai.training;

import dev.cnai.events.ModelSpec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.errors.ErrorKind;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    @Test
    void normalizeFillsDefaults() {
        assertEquals(new ModelSpec("mlp", List.of(128), null), Architecture.of(new ModelSpec("mlp", null, null)).toSpec());
        assertEquals(new ModelSpec("mlp", List.of(64, 32), null), Architecture.of(new ModelSpec(" MLP ", List.of(64, 32), null)).toSpec());
        assertEquals(new ModelSpec("softmax", List.of(), null), Architecture.of(new ModelSpec("softmax", List.of(5), null)).toSpec());
    }

    @Test
    void normalizeRejectsBadSpecs() {
        for (ModelSpec bad : new ModelSpec[] {null, new ModelSpec(null, null, null), new ModelSpec("rnn", null, null),
                new ModelSpec("cnn", null, List.of(0)), new ModelSpec("cnn", null, List.of(8, 8, 8, 8, 8)),
                new ModelSpec("mlp", List.of(0), null), new ModelSpec("mlp", List.of(4097), null),
                new ModelSpec("mlp", Arrays.asList(8, null), null)}) {
            TrainingException e = assertThrows(TrainingException.class, () -> Architecture.of(bad).toSpec());
            assertEquals(ErrorKind.INVALID_INPUT, e.kind());
        }
        assertTrue(assertThrows(TrainingException.class, () -> Architecture.of(new ModelSpec("rnn", null, null)).toSpec())
                .getMessage().contains("softmax, mlp or cnn"));
    }

    @Test
    void cnnShapesFollowTheImage() {
        ModelSpec cnn = new ModelSpec(" CNN ", null, null);
        assertEquals(new ModelSpec("cnn", List.of(), List.of(8, 16)), Architecture.of(cnn).toSpec());
        assertArrayEquals(new int[] {28, 12, 4}, Architecture.of(cnn).imageSides(784));
        assertArrayEquals(new int[] {256, 10}, Architecture.of(cnn).layerSizes(784, 10));
        assertEquals(List.of("K0", "c0", "K1", "c1", "W0", "b0"),
                List.copyOf(Architecture.of(cnn).parameterShapes(784, 10).keySet()));
        assertArrayEquals(new int[] {16, 8, 5, 5}, Architecture.of(cnn).parameterShapes(784, 10).get("K1"));
        Weights w = Architecture.of(cnn).initialize(784, 10, 3);
        Architecture.of(cnn).checkWeights(w, 784, 10);
        assertEquals(w, Architecture.of(cnn).initialize(784, 10, 3));
        assertThrows(TrainingException.class, () -> Architecture.of(cnn).layerSizes(780, 10));
        assertThrows(TrainingException.class, () -> Architecture.of(cnn).layerSizes(144, 10));
    }

    @Test
    void initializeIsSeededWithExpectedShapes() {
        ModelSpec spec = new ModelSpec("mlp", List.of(16, 8), null);
        Weights a = Architecture.of(spec).initialize(5, 3, 7);
        assertArrayEquals(a.encode(), Architecture.of(spec).initialize(5, 3, 7).encode());
        assertNotEquals(a, Architecture.of(spec).initialize(5, 3, 8));
        assertEquals(List.of("W0", "b0", "W1", "b1", "W2", "b2"), a.tensors().stream().map(Tensor::name).toList());
        assertArrayEquals(new int[] {5, 16}, a.get("W0").shape());
        assertArrayEquals(new int[] {8, 3}, a.get("W2").shape());
        assertArrayEquals(new float[8], a.get("b1").data());
        double limit = Math.sqrt(6.0 / 5);
        for (float v : a.get("W0").data()) {
            assertTrue(Math.abs(v) <= limit);
        }
        Architecture.of(spec).checkWeights(a, 5, 3);
    }

    @Test
    void checkWeightsRejectsMismatch() {
        Weights softmax = Architecture.of(new ModelSpec("softmax", null, null)).initialize(5, 3, 1);
        TrainingException e = assertThrows(TrainingException.class,
                () -> Architecture.of(new ModelSpec("mlp", null, null)).checkWeights(softmax, 5, 3));
        assertEquals(ErrorKind.INTEGRITY, e.kind());
        assertThrows(TrainingException.class, () -> Architecture.of(new ModelSpec("softmax", null, null)).checkWeights(softmax, 6, 3));
    }
}
