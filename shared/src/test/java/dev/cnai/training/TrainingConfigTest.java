package dev.cnai.training;

import static dev.cnai.testing.Configs.trainingSpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.events.EventCodec;
import dev.cnai.events.TrainingSpec;
import org.junit.jupiter.api.Test;

class TrainingConfigTest {

    @Test
    void theLearningRateIsConstantAcrossRoundsByDefault() {
        TrainingConfig o = TrainingConfig.of(trainingSpec(10, 1, 32, 0.05, 0.9, 1e-4, 3, 42L));
        assertEquals(1.0, o.lrDecay());
        assertEquals(0.05, o.forRound(1).learningRate());
        assertEquals(0.05, o.forRound(7).learningRate());
    }

    @Test
    void roundRTrainsWithTheRateDecayedRMinusOneTimes() {
        TrainingConfig o = TrainingConfig.of(trainingSpec(10, 1, 32, null, null, null, null, null, "adam", null, null,
                null, null, 0.9));
        assertEquals(0.001, o.forRound(1).learningRate(), 1e-15);
        assertEquals(0.001 * 0.81, o.forRound(3).learningRate(), 1e-15);
        assertEquals(0.9, o.forRound(3).lrDecay());
        assertEquals("adam", o.forRound(3).optimizer().name());
    }

    @Test
    void aDecayOutsideZeroToOneIsRefused() {
        for (double bad : new double[] {0, -0.5, 1.5, Double.NaN}) {
            TrainingSpec o = trainingSpec(10, 1, 32, 0.05, 0.9, 1e-4, 3, 42L, null, null, null, null, null, bad);
            TrainingException e = assertThrows(TrainingException.class, () -> TrainingConfig.of(o));
            assertEquals(true, e.getMessage().contains("lrDecay must be in (0, 1]"), e.getMessage());
        }
    }

    @Test
    void defaultsAreWrittenOnceAndNamesAreCaseInsensitive() {
        TrainingConfig d = TrainingConfig.of(null);
        assertEquals(TrainingConfig.DEFAULTS, d);
        assertEquals(10, d.rounds());
        assertEquals(32, d.batchSize());
        assertEquals(0.05, d.learningRate());
        assertEquals(new Optimizer.Sgd(0.9), d.optimizer());
        assertEquals(Engine.ONNX, d.engine());
        assertEquals(Provider.AUTO, d.provider());
        TrainingConfig adam = TrainingConfig.of(trainingSpec(null, null, null, null, null, null, null, null, " Adam ",
                null, 0.99, "JAVA", "Cpu"));
        assertEquals(new Optimizer.Adam(0.9, 0.99), adam.optimizer());
        assertEquals(0.001, adam.learningRate());
        assertEquals(Engine.JAVA, adam.engine());
        assertEquals(Provider.CPU, adam.provider());
    }

    @Test
    void everyOutOfRangeValueIsRefusedWithItsName() throws Exception {
        String[][] cases = {
            {"rounds", "0"}, {"localEpochs", "0"}, {"batchSize", "0"}, {"learningRate", "-1"}, {"momentum", "1"},
            {"l2", "-1"}, {"patience", "0"}, {"augment", "-1"}, {"optimizer", "rmsprop"}, {"engine", "tpu"},
            {"provider", "tpu"}, {"beta1", "1"},
        };
        for (String[] c : cases) {
            String json = "{\"" + c[0] + "\":" + (c[1].matches("-?[0-9.]+") ? c[1] : "\"" + c[1] + "\"")
                    + (c[0].startsWith("beta") ? ",\"optimizer\":\"adam\"" : "") + "}";
            TrainingSpec spec = EventCodec.mapper().readValue(json, TrainingSpec.class);
            TrainingException e = assertThrows(TrainingException.class, () -> TrainingConfig.of(spec), json);
            assertTrue(e.getMessage().contains(c[0]) || c[0].equals("beta1") && e.getMessage().contains("beta1"),
                    json + ": " + e.getMessage());
        }
    }

    @Test
    void theWireFormRoundTripsThroughJson() throws Exception {
        TrainingConfig o = TrainingConfig.of(trainingSpec(4, 2, 16, 0.01, null, 0.0, 2, 7L, "adam", 0.8, 0.99, "onnx",
                "cpu", 0.5, 2));
        String json = EventCodec.mapper().writeValueAsString(o);
        assertTrue(json.contains("\"optimizer\":\"adam\"") && json.contains("\"beta1\":0.8"), json);
        assertEquals(o, EventCodec.mapper().readValue(json, TrainingConfig.class));
        Architecture cnn = Architecture.of(dev.cnai.testing.Configs.modelSpec(" cnn", null));
        Architecture back = EventCodec.mapper().readValue(EventCodec.mapper().writeValueAsString(cnn),
                Architecture.class);
        assertInstanceOf(Architecture.Cnn.class, back);
        assertEquals(cnn, back);
    }
}
