package dev.cnai.pipeline;

import static dev.cnai.testing.Configs.modelSpec;
import static dev.cnai.testing.Configs.trainingSpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.events.DatasetSpec;
import dev.cnai.events.EventTypes;
import dev.cnai.events.ModelEvaluated;
import dev.cnai.events.OutgoingEvent;
import dev.cnai.events.RunRequested;
import dev.cnai.events.ShardAssigned;
import dev.cnai.events.ShardTrained;
import dev.cnai.storage.ObjectStore;
import dev.cnai.storage.ObjectStores;
import dev.cnai.storage.S3TestServer;
import dev.cnai.testing.PipelineFixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two evaluate replicas racing on the fan-in of an {@code s3://} store, as two pods of one Knative Service would: each
 * replica has its own S3 client and its own locks, so nothing but the server's conditional create
 * ({@code If-None-Match: *}) keeps them apart. Every report of every round is delivered twice to each replica, all
 * at once, in a shuffled order. Each round must be decided exactly once (one result object, one deciding report, one
 * logical outcome: every emitted copy carries the same deterministic id), and the run must train the same model, to
 * the byte, as one replica on a {@code file://} store with the same seed.
 */
class EvaluateReplicasOnS3Test {
    private static final String RUN = "race-s3";
    @RegisterExtension
    static final S3TestServer.PerClass S3 = new S3TestServer.PerClass("cnai-race");

    @TempDir
    Path dir;

    @Test
    void twoReplicasRacingOnS3DecideEachRoundOnceAndTrainTheSameModelAsOne() throws Exception {
        Path csv = PipelineFixtures.blobsCsv(dir.resolve("blobs.csv"), 800, 3);
        ObjectStore file = ObjectStores.open(dir.resolve("store").toString());
        ModelEvaluated alone = run(csv, file, List.of(new EvaluateStep(file)), new ArrayList<>());

        List<Integer> emissions = new ArrayList<>();
        ObjectStore shared = S3.server().open("cnai-race", "runs-a", "");
        ObjectStore replicaA = S3.server().open("cnai-race", "runs-a", "");
        ObjectStore replicaB = S3.server().open("cnai-race", "runs-a", "");
        ModelEvaluated raced = run(csv, shared,
                List.of(new EvaluateStep(replicaA), new EvaluateStep(replicaB)), emissions);

        for (int round = 1; round <= raced.rounds(); round++) {
            String prefix = "runs/" + RUN + "/rounds/" + round + "/";
            assertEquals(1, shared.list(prefix).stream().filter(k -> k.equals(prefix + "result.json")).count());
        }
        assertEquals(raced.rounds(), emissions.size(), "one deciding delivery set per round: " + emissions);
        assertTrue(emissions.stream().allMatch(n -> n >= 1 && n <= 2),
                "the deciding report's deliveries: at most one emission per replica: " + emissions);
        assertEquals(alone.rounds(), raced.rounds());
        assertEquals(alone.weights().digest(), raced.weights().digest(), "the same model as one replica trains");
        assertEquals(alone.test().accuracy(), raced.test().accuracy(), 0.0);
    }

    /**
     * Drives one run; every report goes to every replica twice, concurrently. Records, per round, how many deliveries
     * emitted the round's outcome, after checking that all of them emitted the same events.
     */
    private static ModelEvaluated run(Path csv, ObjectStore store, List<EvaluateStep> replicas, List<Integer> emissions)
            throws Exception {
        RunRequested request = new RunRequested(RUN, new DatasetSpec("csv", csv.toString(), null, null, 4, null, 7L),
                modelSpec("mlp", List.of(16)), trainingSpec(3, 1, 16, 0.05, 0.9, 1e-4, 3, 7L), null, null);
        List<OutgoingEvent> pending = new PreprocessStep(store, "blobs").handle(request, RUN);
        pending = pending.subList(1, pending.size());
        Random order = new Random(11);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (TrainShardStep train = new TrainShardStep(store)) {
            while (true) {
                List<Future<List<OutgoingEvent>>> deliveries = new ArrayList<>();
                List<Integer> shards = new ArrayList<>();
                List<Runnable> jobs = new ArrayList<>();
                for (OutgoingEvent e : pending) {
                    ShardTrained t = (ShardTrained) train.handle((ShardAssigned) e.data()).data();
                    for (EvaluateStep replica : replicas) {
                        for (int copy = 0; copy < 2; copy++) {
                            jobs.add(() -> {
                                shards.add(t.shard());
                                deliveries.add(pool.submit(() -> replica.handle(t)));
                            });
                        }
                    }
                }
                Collections.shuffle(jobs, order);
                jobs.forEach(Runnable::run);
                Map<String, OutgoingEvent> next = new LinkedHashMap<>();
                ModelEvaluated done = null;
                String outcome = null;
                Set<Integer> deciding = new HashSet<>();
                int emitting = 0;
                for (int i = 0; i < deliveries.size(); i++) {
                    List<OutgoingEvent> out = deliveries.get(i).get();
                    if (out.isEmpty()) {
                        continue;
                    }
                    emitting++;
                    deciding.add(shards.get(i));
                    assertEquals(1, deciding.size(), "one report decides the round, not " + deciding);
                    String ids = out.stream().map(OutgoingEvent::id).toList().toString();
                    assertTrue(outcome == null || outcome.equals(ids), "one outcome per round: " + outcome + " / " + ids);
                    outcome = ids;
                    for (OutgoingEvent o : out) {
                        if (o.type().equals(EventTypes.MODEL_EVALUATED)) {
                            done = (ModelEvaluated) o.data();
                        } else if (o.type().equals(EventTypes.SHARD_ASSIGNED)) {
                            next.put(o.id(), o);
                        }
                    }
                }
                emissions.add(emitting);
                if (done != null) {
                    return done;
                }
                assertEquals(4, next.size(), "the next round's four assignments: " + next.keySet());
                pending = new ArrayList<>(next.values());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
