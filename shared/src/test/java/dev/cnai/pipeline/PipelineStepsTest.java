package dev.cnai.pipeline;

import static dev.cnai.testing.Configs.modelSpec;
import static dev.cnai.testing.Configs.trainingSpec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.data.DatasetException;
import dev.cnai.events.DatasetSpec;
import dev.cnai.events.EventCodec;
import dev.cnai.events.EventTypes;
import dev.cnai.events.InferenceCompleted;
import dev.cnai.events.InferenceRequested;
import dev.cnai.events.ModelEvaluated;
import dev.cnai.events.OutgoingEvent;
import dev.cnai.events.RunRequested;
import dev.cnai.events.ShardAssigned;
import dev.cnai.events.ShardTrained;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.Registries;
import dev.cnai.serving.ModelServer;
import dev.cnai.storage.ObjectStore;
import dev.cnai.storage.ObjectStores;
import dev.cnai.testing.PipelineFixtures;
import dev.cnai.events.ModelSpec;
import dev.cnai.training.TrainingException;
import dev.cnai.events.TrainingSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every step's logic driven directly, in process, on a small seeded dataset: the oracle for the functions. */
class PipelineStepsTest {
    @TempDir
    Path dir;
    ObjectStore store;
    ModelRegistry registry;
    PreprocessStep preprocess;
    TrainShardStep train;
    EvaluateStep evaluate;
    RegisterStep register;
    Path csv;

    @BeforeEach
    void setUp() throws Exception {
        store = ObjectStores.open(dir.resolve("store").toString());
        registry = Registries.open(dir.resolve("registry").toString());
        preprocess = new PreprocessStep(store, "blobs");
        train = new TrainShardStep(store);
        evaluate = new EvaluateStep(store);
        register = new RegisterStep(store, registry, 0.8, 0.02);
        csv = PipelineFixtures.blobsCsv(dir.resolve("blobs.csv"), 800, 3);
    }

    @AfterEach
    void tearDown() {
        train.close();
    }

    RunRequested request(String run, int rounds) {
        return new RunRequested(run, new DatasetSpec("csv", csv.toString(), null, null, 4, null, 7L),
                modelSpec("mlp", List.of(16)), trainingSpec(rounds, 1, 16, 0.05, 0.9, 1e-4, 2, 7L), null, null);
    }

    @Test
    void wholePipelineTrainsRegistersAndServes() {
        List<OutgoingEvent> prepared = preprocess.handle(request("run-a", 3), "run-a");
        assertEquals(EventTypes.DATASET_PREPARED, prepared.get(0).type());
        assertEquals(5, prepared.size());
        assertEquals(List.of(), preprocess.handle(request("run-a", 3), "run-a"),
                "a redelivery after the emission was confirmed emits nothing");

        ModelEvaluated evaluated = runRounds(prepared);
        assertTrue(evaluated.test().accuracy() > 0.9, "accuracy " + evaluated.test().accuracy());
        List<EvaluateStep.RoundResult> rounds = new RunRecords(store, "run-a").rounds();
        assertEquals(evaluated.rounds(), rounds.size());
        EvaluateStep.RoundResult last = rounds.get(rounds.size() - 1);
        assertTrue(last.trainAccuracy() != null && last.trainAccuracy() > 0.9 && last.trainAccuracy() <= 1,
                "the averaged model's accuracy on the training sample: " + last.trainAccuracy());
        // a result recorded before the field existed still reads, with no train accuracy
        byte[] old = new String(store.get("runs/run-a/rounds/1/result.json").orElseThrow(),
                java.nio.charset.StandardCharsets.UTF_8).replaceAll(",\"trainAccuracy\":[0-9.Ee-]+", "")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(null, dev.cnai.events.EventCodec.read(old, EvaluateStep.RoundResult.class).trainAccuracy());
        List<OutgoingEvent> registered = register.handle(evaluated);
        assertEquals(List.of(EventTypes.MODEL_REGISTERED, EventTypes.MODEL_PROMOTED),
                registered.stream().map(OutgoingEvent::type).toList());
        assertEquals(List.of(), register.handle(evaluated), "a confirmed decision is not emitted again");
        assertEquals(1, registry.list("blobs").size(), "redelivered model.evaluated must not create a second version");

        try (ModelServer server = new ModelServer(registry, "blobs", 1)) {
            assertTrue(server.loadIfPresent("production"));
            InferenceCompleted done = server.infer(new InferenceRequested("q", null, new float[][] {new float[8]}));
            assertEquals("v1", done.version());
            assertEquals(1, done.labels().length);
            assertThrows(dev.cnai.serving.ServingException.class,
                    () -> server.infer(new InferenceRequested("q", null, new float[][] {new float[3]})));
        }
    }

    @Test
    void redeliveredShardIsCountedOnceAndRacingReportsDecideOnce() throws Exception {
        List<OutgoingEvent> prepared = preprocess.handle(request("run-b", 2), "run-b");
        List<ShardTrained> trained = new ArrayList<>();
        for (OutgoingEvent e : prepared.subList(1, prepared.size())) {
            ShardTrained t = (ShardTrained) train.handle((ShardAssigned) e.data()).data();
            assertEquals(json(List.of(train.handle((ShardAssigned) e.data()))), json(List.of(train.handle((ShardAssigned) e.data()))));
            trained.add(t);
        }
        // shard 0 delivered three times before the others: still only one of four
        for (int i = 0; i < 3; i++) {
            assertEquals(List.of(), evaluate.handle(trained.get(0)));
        }
        // the other three race, each delivered twice
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<List<OutgoingEvent>>> results = new ArrayList<>();
        for (int rep = 0; rep < 2; rep++) {
            for (ShardTrained t : trained.subList(1, 4)) {
                results.add(pool.submit((Callable<List<OutgoingEvent>>) () -> evaluate.handle(t)));
            }
        }
        String decided = null;
        int emitting = 0;
        for (Future<List<OutgoingEvent>> f : results) {
            List<OutgoingEvent> out = f.get();
            if (!out.isEmpty()) {
                emitting++;
                decided = json(out);
            }
        }
        pool.shutdown();
        assertEquals(1, emitting, "one delivery emits the round's outcome, however many race");
        assertTrue(decided.contains("round.completed"));
        assertEquals(0, evaluate.activeRounds(), "the lock table is empty when no round is being handled");
        assertEquals(4, store.list("runs/run-b/rounds/1/reports/").size());
    }

    @Test
    void onlyOneDeliveryDecidesARoundAndAConfirmedOutcomeIsNotReEmitted() {
        int deciding = 0;
        List<ShardTrained> trained = trainFirstRound("run-d");
        String decided = null;
        for (ShardTrained t : trained) {
            List<OutgoingEvent> out = evaluate.handle(t);
            if (!out.isEmpty()) {
                deciding++;
                decided = json(out);
            }
        }
        assertEquals(1, deciding, "exactly one delivery decides the round");
        assertTrue(decided.contains("round.completed"));
        for (ShardTrained t : trained) {
            assertEquals(List.of(), evaluate.handle(t), "a redelivered report after the confirmed outcome emits nothing");
        }
    }

    @Test
    void twoReplicasRacingOnOneStoreDecideAndEmitEachRoundOnce() throws Exception {
        for (int trial = 0; trial < 3; trial++) {
            String run = "run-r" + trial;
            List<ShardTrained> trained = trainFirstRound(run);
            EvaluateStep a = new EvaluateStep(store);
            EvaluateStep b = new EvaluateStep(store);
            List<ShardTrained> reversed = new ArrayList<>(trained);
            java.util.Collections.reverse(reversed);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<List<OutgoingEvent>>> results = new ArrayList<>();
            for (int rep = 0; rep < 2; rep++) {
                for (int i = 0; i < 4; i++) {
                    ShardTrained forA = trained.get(i);
                    ShardTrained forB = reversed.get(i);
                    results.add(pool.submit((Callable<List<OutgoingEvent>>) () -> a.handle(forA)));
                    results.add(pool.submit((Callable<List<OutgoingEvent>>) () -> b.handle(forB)));
                }
            }
            List<String> roundCompleted = new ArrayList<>();
            for (Future<List<OutgoingEvent>> f : results) {
                for (OutgoingEvent e : f.get()) {
                    if (e.type().equals(EventTypes.ROUND_COMPLETED)) {
                        roundCompleted.add(e.id());
                    }
                }
            }
            pool.shutdown();
            // one deciding report; its two deliveries to the same replica serialise; to the other replica they may
            // both emit before either confirms, which is still only that input's own outputs again
            assertTrue(roundCompleted.size() >= 1 && roundCompleted.size() <= 2, run + ": " + roundCompleted);
            assertEquals(1, store.list("runs/" + run + "/rounds/1/").stream().filter(k -> k.endsWith("result.json"))
                    .count());
        }
    }

    @Test
    void aCrashBetweenDecidingAndEmittingIsRecoveredByTheDecidingReportOnly() {
        List<ShardTrained> trained = trainFirstRound("run-f");
        for (ShardTrained t : trained.subList(0, 3)) {
            assertEquals(List.of(), evaluate.handle(t));
        }
        ShardTrained last = trained.get(3);
        EventSender crashing = events -> {
            throw new IllegalStateException("process killed while posting the fan-out");
        };
        assertThrows(IllegalStateException.class, () -> evaluate.handle(last, crashing));
        assertTrue(store.exists("runs/run-f/rounds/1/result.json"), "the round was decided before the crash");
        for (ShardTrained t : trained.subList(0, 3)) {
            assertEquals(List.of(), evaluate.handle(t), "only the report that decided the round may emit its outcome");
        }
        List<OutgoingEvent> sent = new ArrayList<>();
        List<OutgoingEvent> recovered = evaluate.handle(last, sent::addAll);
        assertEquals(1 + 4, recovered.size(), "round.completed and the next round's four assignments");
        assertEquals(recovered, sent);
        assertEquals("run-f/round-1/round.completed", recovered.get(0).id(), "same deterministic ids as the lost emission");
        assertEquals(List.of(), evaluate.handle(last), "once confirmed, the deciding report is quiet too");
    }

    @Test
    void aCrashBeforeTheRoundIsClaimedIsRecoveredByTheRedelivery() {
        List<ShardTrained> trained = trainFirstRound("run-g");
        EvaluateStep crashing = new EvaluateStep(new FailingStore(store, "rounds/1/result.json"));
        for (ShardTrained t : trained.subList(0, 3)) {
            assertEquals(List.of(), crashing.handle(t));
        }
        assertThrows(IllegalStateException.class, () -> crashing.handle(trained.get(3)), "killed before the claim");
        assertEquals(4, store.list("runs/run-g/rounds/1/reports/").size(), "its report was recorded");
        List<OutgoingEvent> out = evaluate.handle(trained.get(3));
        assertEquals(5, out.size(), "the redelivery of the last report completes the round");
    }

    @Test
    void aCrashBeforePreprocessEmitsIsRecoveredOnceAndThenQuiet() {
        RunRequested req = request("run-h", 2);
        assertThrows(IllegalStateException.class, () -> preprocess.handle(req, "run-h", events -> {
            throw new IllegalStateException("sink down");
        }));
        assertEquals(5, preprocess.handle(req, "run-h").size(), "the redelivery emits what was not confirmed");
        assertEquals(List.of(), preprocess.handle(req, "run-h"));
    }

    /**
     * The storm of the reliability issue, in process: after a finished run every one of its events is delivered
     * again to its consumer, and whatever that causes is delivered too, until nothing more happens. A process that
     * never multiplies answers each old assignment with its stored report (a reply: one event) and nothing else.
     */
    @Test
    void replayingAFinishedRunsEventsCausesOneReplyPerAssignmentAndNoNewVersion() {
        List<OutgoingEvent> all = new ArrayList<>();
        List<OutgoingEvent> pending = new ArrayList<>(preprocess.handle(request("run-s", 3), "run-s"));
        List<OutgoingEvent> queue = new ArrayList<>(pending);
        all.addAll(pending);
        drive(queue, all);
        assertTrue(all.stream().anyMatch(e -> e.type().equals(EventTypes.MODEL_REGISTERED)), "the run registered");
        int versions = registry.list("blobs").size();
        RunRequested original = request("run-s", 3);

        List<OutgoingEvent> caused = new ArrayList<>();
        List<OutgoingEvent> replay = new ArrayList<>(all);
        caused.addAll(preprocess.handle(original, "run-s"));
        drive(replay, caused);
        long assignments = all.stream().filter(e -> e.type().equals(EventTypes.SHARD_ASSIGNED)).count();
        assertEquals(assignments, caused.size(), "one stored reply per replayed assignment, nothing else: " + caused);
        assertTrue(caused.stream().allMatch(e -> e.type().equals(EventTypes.SHARD_TRAINED)));
        assertEquals(versions, registry.list("blobs").size(), "no new model version");
    }

    /** Delivers every event in {@code queue} to its consumer (as the Triggers route them), and what they emit, to the end. */
    private void drive(List<OutgoingEvent> queue, List<OutgoingEvent> emitted) {
        while (!queue.isEmpty()) {
            OutgoingEvent e = queue.remove(0);
            List<OutgoingEvent> out = switch (e.type()) {
                case EventTypes.SHARD_ASSIGNED -> List.of(train.handle((ShardAssigned) e.data()));
                case EventTypes.SHARD_TRAINED -> evaluate.handle((ShardTrained) e.data());
                case EventTypes.MODEL_EVALUATED -> register.handle((ModelEvaluated) e.data());
                default -> List.of();
            };
            emitted.addAll(out);
            queue.addAll(out);
        }
    }

    @Test
    void invalidDatasetFailsWithAReasonAndWritesNothing() throws Exception {
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "0,0.1,0.2\n1,NaN,0.3\n");
        RunRequested req = new RunRequested("run-c", new DatasetSpec("csv", bad.toString(), null, null, 1, null, 1L), null,
                null, null, null);
        DatasetException e = assertThrows(DatasetException.class, () -> preprocess.handle(req, "run-c"));
        assertTrue(e.getMessage().toLowerCase().contains("nan") || e.getMessage().contains("finite"), e.getMessage());
        assertEquals(List.of(), store.list("runs/run-c"));
    }

    @Test
    void trainingOptionsThatCannotFitTheDataFailBeforeAnythingIsWritten() {
        RunRequested req = new RunRequested("run-e", new DatasetSpec("csv", csv.toString(), null, null, 4, null, 7L),
                modelSpec("mlp", List.of(16)), trainingSpec(3, 1, 16, 0.05, 0.9, 1e-4, 2, 7L, null, null, null,
                        null, null, null, 2), null, null);
        TrainingException e = assertThrows(TrainingException.class, () -> preprocess.handle(req, "run-e"));
        assertTrue(e.getMessage().contains("augment shifts square one-channel images"), e.getMessage());
        assertEquals(List.of(), store.list("runs/run-e"));
    }

    @Test
    void sameSeedAndDataGiveIdenticalModelBytes() {
        // two independent runs (own stores, own engine sessions), same run id, seed and data, Adam on the engine
        RunRequested req = new RunRequested("run-d", new DatasetSpec("csv", csv.toString(), null, null, 4, null, 7L),
                modelSpec("mlp", List.of(16)), trainingSpec(2, 2, 16, 0.01, null, 1e-4, 2, 7L, "adam", null,
                        null, "onnx", "cpu"), null, null);
        byte[] first = store.read(runRounds(preprocess.handle(req, "run-d")).model());
        train.close();
        store = ObjectStores.open(dir.resolve("store-2").toString());
        preprocess = new PreprocessStep(store, "blobs");
        train = new TrainShardStep(store, 2);
        evaluate = new EvaluateStep(store);
        byte[] second = store.read(runRounds(preprocess.handle(req, "run-d")).model());
        assertTrue(first.length > 1000);
        assertArrayEquals(first, second);
    }

    /** Preprocesses run {@code run} and trains each of its round-1 shard assignments once: the round-1 reports. */
    private List<ShardTrained> trainFirstRound(String run) {
        List<OutgoingEvent> prepared = preprocess.handle(request(run, 2), run);
        List<ShardTrained> trained = new ArrayList<>();
        for (OutgoingEvent e : prepared.subList(1, prepared.size())) {
            trained.add((ShardTrained) train.handle((ShardAssigned) e.data()).data());
        }
        return trained;
    }

    private ModelEvaluated runRounds(List<OutgoingEvent> prepared) {
        List<OutgoingEvent> pending = new ArrayList<>(prepared.subList(1, prepared.size()));
        while (true) {
            List<OutgoingEvent> next = new ArrayList<>();
            for (OutgoingEvent e : pending) {
                OutgoingEvent trained = train.handle((ShardAssigned) e.data());
                for (OutgoingEvent out : evaluate.handle((ShardTrained) trained.data())) {
                    if (out.type().equals(EventTypes.MODEL_EVALUATED)) {
                        return (ModelEvaluated) out.data();
                    }
                    if (out.type().equals(EventTypes.SHARD_ASSIGNED)) {
                        next.add(out);
                    }
                }
            }
            assertTrue(!next.isEmpty(), "a round must either continue or finish");
            pending = next;
        }
    }

    /** A store whose first create-if-absent of a key ending in {@code failOn} throws, as a kill -9 would stop it. */
    private static final class FailingStore implements ObjectStore {
        private final ObjectStore delegate;
        private final String failOn;
        private boolean failed;

        FailingStore(ObjectStore delegate, String failOn) {
            this.delegate = delegate;
            this.failOn = failOn;
        }

        @Override
        public dev.cnai.storage.ArtifactRef put(String key, byte[] data) {
            return delegate.put(key, data);
        }

        @Override
        public PutResult putIfAbsent(String key, byte[] data) {
            if (!failed && key.endsWith(failOn)) {
                failed = true;
                throw new IllegalStateException("killed before writing " + key);
            }
            return delegate.putIfAbsent(key, data);
        }

        @Override
        public java.util.Optional<byte[]> get(String key) {
            return delegate.get(key);
        }

        @Override
        public byte[] read(dev.cnai.storage.ArtifactRef ref) {
            return delegate.read(ref);
        }

        @Override
        public boolean exists(String key) {
            return delegate.exists(key);
        }

        @Override
        public List<String> list(String prefix) {
            return delegate.list(prefix);
        }

        @Override
        public void delete(String key) {
            delegate.delete(key);
        }

        @Override
        public java.net.URI uri(String key) {
            return delegate.uri(key);
        }
    }

    private static String json(List<OutgoingEvent> events) {
        return new String(EventCodec.encode(events), java.nio.charset.StandardCharsets.UTF_8);
    }
}
