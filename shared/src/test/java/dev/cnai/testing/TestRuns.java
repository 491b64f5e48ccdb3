package dev.cnai.testing;

import dev.cnai.events.ClassificationMetrics;
import static dev.cnai.testing.Configs.modelSpec;
import static dev.cnai.testing.Configs.trainingSpec;
import dev.cnai.events.DatasetSpec;
import dev.cnai.events.EventTypes;
import dev.cnai.events.ModelEvaluated;
import dev.cnai.events.OutgoingEvent;
import dev.cnai.events.RunRequested;
import dev.cnai.events.ShardAssigned;
import dev.cnai.events.ShardTrained;
import dev.cnai.pipeline.EvaluateStep;
import dev.cnai.pipeline.PreprocessStep;
import dev.cnai.pipeline.RegisterStep;
import dev.cnai.pipeline.TrainShardStep;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.storage.ObjectStore;
import dev.cnai.events.ModelSpec;
import dev.cnai.events.TrainingSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Drives the pipeline steps in process to put a store (and registry) in the state a function test starts from. */
public final class TestRuns {
    private final ObjectStore store;
    private final Path csv;

    public TestRuns(ObjectStore store, Path workDir) throws IOException {
        this(store, workDir, 400);
    }

    /** Runs over a blobs CSV of {@code rows} rows (a different row count is a different dataset and test split). */
    public TestRuns(ObjectStore store, Path workDir, int rows) throws IOException {
        this.store = store;
        this.csv = PipelineFixtures.blobsCsv(workDir.resolve("blobs-" + System.nanoTime() + ".csv"), rows, 3);
    }

    public Path csv() {
        return csv;
    }

    /** A small run request over the blobs CSV: 4 shards, MLP 8-16-3. */
    public RunRequested request(String run, int rounds) {
        return new RunRequested(run, new DatasetSpec("csv", csv.toString(), null, null, 4, null, 3L),
                modelSpec("mlp", List.of(16)), trainingSpec(rounds, 1, 16, 0.05, 0.9, 1e-4, 3, 3L), "blobs", 0.5);
    }

    /** Round-1 assignments of a freshly prepared run. */
    public List<ShardAssigned> prepare(String run, int rounds) {
        List<ShardAssigned> out = new ArrayList<>();
        for (OutgoingEvent e : new PreprocessStep(store, "blobs").handle(request(run, rounds), run)) {
            if (e.data() instanceof ShardAssigned a) {
                out.add(a);
            }
        }
        return out;
    }

    /** Trains every assignment; returns the shard reports. */
    public List<ShardTrained> train(List<ShardAssigned> assigned) {
        try (TrainShardStep step = new TrainShardStep(store)) {
            return assigned.stream().map(a -> (ShardTrained) step.handle(a).data()).toList();
        }
    }

    /** Runs a prepared run to its end and returns the evaluation. */
    public ModelEvaluated evaluateToEnd(String run, int rounds) {
        EvaluateStep evaluate = new EvaluateStep(store);
        List<ShardAssigned> pending = prepare(run, rounds);
        while (true) {
            List<ShardAssigned> next = new ArrayList<>();
            for (ShardTrained t : train(pending)) {
                for (OutgoingEvent e : evaluate.handle(t)) {
                    if (e.type().equals(EventTypes.MODEL_EVALUATED)) {
                        return (ModelEvaluated) e.data();
                    }
                    if (e.data() instanceof ShardAssigned a) {
                        next.add(a);
                    }
                }
            }
            pending = next;
        }
    }

    /** Trains, evaluates and registers a run as {@code production}. */
    public void registerModel(String run, ModelRegistry registry) {
        new RegisterStep(store, registry, 0.5, 0.02).handle(evaluateToEnd(run, 2));
    }

    /** {@code e} with its test accuracy replaced (the rest of its metrics kept): a better or worse challenger. */
    public static ModelEvaluated withAccuracy(ModelEvaluated e, double accuracy) {
        ClassificationMetrics t = e.test();
        return new ModelEvaluated(e.runId(), e.modelName(), e.rounds(), e.bestRound(), e.model(), e.weights(), e.plan(),
                new ClassificationMetrics(t.samples(), accuracy, t.macroF1(), t.loss(), t.precision(), t.recall(),
                        t.f1(), t.confusion()), e.validationAccuracy(), e.elapsedMillis());
    }
}
