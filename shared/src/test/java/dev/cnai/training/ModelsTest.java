package dev.cnai.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.errors.ErrorKind;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelsTest {

    @Test
    void normalizeFillsDefaults() {
        assertEquals(new ModelSpec("mlp", List.of(128)), Models.normalize(new ModelSpec("mlp", null)));
        assertEquals(new ModelSpec("mlp", List.of(64, 32)), Models.normalize(new ModelSpec(" MLP ", List.of(64, 32))));
        assertEquals(new ModelSpec("softmax", List.of()), Models.normalize(new ModelSpec("softmax", List.of(5))));
    }

    @Test
    void normalizeRejectsBadSpecs() {
        for (ModelSpec bad : new ModelSpec[] {null, new ModelSpec(null, null), new ModelSpec("rnn", null),
                new ModelSpec("cnn", null, List.of(0)), new ModelSpec("cnn", null, List.of(8, 8, 8, 8, 8)),
                new ModelSpec("mlp", List.of(0)), new ModelSpec("mlp", List.of(4097)),
                new ModelSpec("mlp", Arrays.asList(8, null))}) {
            TrainingException e = assertThrows(TrainingException.class, () -> Models.normalize(bad));
            assertEquals(ErrorKind.INVALID_INPUT, e.kind());
        }
        assertTrue(assertThrows(TrainingException.class, () -> Models.normalize(new ModelSpec("rnn", null)))
                .getMessage().contains("softmax, mlp or cnn"));
    }

    @Test
    void cnnShapesFollowTheImage() {
        ModelSpec cnn = new ModelSpec(" CNN ", null);
        assertEquals(new ModelSpec("cnn", List.of(), List.of(8, 16)), Models.normalize(cnn));
        assertArrayEquals(new int[] {28, 12, 4}, Models.imageSides(cnn, 784));
        assertArrayEquals(new int[] {256, 10}, Models.layerSizes(cnn, 784, 10));
        assertEquals(List.of("K0", "c0", "K1", "c1", "W0", "b0"),
                List.copyOf(Models.parameterShapes(cnn, 784, 10).keySet()));
        assertArrayEquals(new int[] {16, 8, 5, 5}, Models.parameterShapes(cnn, 784, 10).get("K1"));
        Weights w = Models.initialize(cnn, 784, 10, 3);
        Models.checkWeights(cnn, w, 784, 10);
        assertEquals(w, Models.initialize(cnn, 784, 10, 3));
        assertThrows(TrainingException.class, () -> Models.layerSizes(cnn, 780, 10));
        assertThrows(TrainingException.class, () -> Models.layerSizes(cnn, 144, 10));
    }

    @Test
    void initializeIsSeededWithExpectedShapes() {
        ModelSpec spec = new ModelSpec("mlp", List.of(16, 8));
        Weights a = Models.initialize(spec, 5, 3, 7);
        assertArrayEquals(a.encode(), Models.initialize(spec, 5, 3, 7).encode());
        assertNotEquals(a, Models.initialize(spec, 5, 3, 8));
        assertEquals(List.of("W0", "b0", "W1", "b1", "W2", "b2"), a.tensors().stream().map(Tensor::name).toList());
        assertArrayEquals(new int[] {5, 16}, a.get("W0").shape());
        assertArrayEquals(new int[] {8, 3}, a.get("W2").shape());
        assertArrayEquals(new float[8], a.get("b1").data());
        double limit = Math.sqrt(6.0 / 5);
        for (float v : a.get("W0").data()) {
            assertTrue(Math.abs(v) <= limit);
        }
        Models.checkWeights(spec, a, 5, 3);
    }

    @Test
    void checkWeightsRejectsMismatch() {
        Weights softmax = Models.initialize(new ModelSpec("softmax", null), 5, 3, 1);
        TrainingException e = assertThrows(TrainingException.class,
                () -> Models.checkWeights(new ModelSpec("mlp", null), softmax, 5, 3));
        assertEquals(ErrorKind.INTEGRITY, e.kind());
        assertThrows(TrainingException.class, () -> Models.checkWeights(new ModelSpec("softmax", null), softmax, 6, 3));
    }
}
