package dev.cnai.training;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.cnai.events.TrainingSpec;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The validated training configuration of a run, parsed once from the wire's {@link TrainingSpec} ({@link #of}).
 * Every value is present; the defaults are the constants beside the fields, and the compact constructor checks
 * every range, so an engine never sees an invalid value. In JSON (the run plan) it is written as its wire form,
 * {@link #toSpec()}, with every default filled in; the registry's lineage is that form too.
 *
 * <p>Adding a hyper-parameter: a component here (with its default and its check), the field of the wire record
 * and its JSON Schema ({@code run.requested.json}), and its line in {@code docs/events.md}.
 *
 * @param rounds       maximum FedAvg rounds (≥ 1)
 * @param localEpochs  epochs each shard trains per round (≥ 1)
 * @param batchSize    mini-batch size (≥ 1)
 * @param learningRate step size (positive, finite); the default depends on the optimiser
 * @param l2           L2 weight decay on the W/K tensors, added to the gradient (≥ 0)
 * @param patience     rounds without validation-loss improvement before early stop (≥ 1)
 * @param seed         seed of initialisation and shuffling
 * @param optimizer    the local optimiser and its own parameters
 * @param engine       the local trainer
 * @param provider     ONNX Runtime execution provider the engine asks for
 * @param lrDecay      learning-rate multiplier per FedAvg round, in (0, 1]: round r trains with
 *                     {@code learningRate · lrDecay^(r-1)}
 * @param augment      largest random translation, in pixels, of every training image in every epoch (≥ 0; 0 = off;
 *                     square one-channel images only, checked against the data by {@link #checkFits(int)})
 */
public record TrainingConfig(int rounds, int localEpochs, int batchSize, double learningRate, double l2,
        int patience, long seed, Optimizer optimizer, Engine engine, Provider provider, double lrDecay,
        int augment) {
    public static final int DEFAULT_ROUNDS = 10;
    public static final int DEFAULT_LOCAL_EPOCHS = 1;
    public static final int DEFAULT_BATCH_SIZE = 32;
    public static final double DEFAULT_L2 = 1e-4;
    public static final int DEFAULT_PATIENCE = 3;
    public static final long DEFAULT_SEED = 42L;
    public static final Engine DEFAULT_ENGINE = Engine.ONNX;
    public static final Provider DEFAULT_PROVIDER = Provider.AUTO;
    public static final double DEFAULT_LR_DECAY = 1.0;
    public static final int DEFAULT_AUGMENT = 0;

    /** Every default: sgd with momentum 0.9 at learning rate 0.05, 10 rounds, onnx on the best provider. */
    public static final TrainingConfig DEFAULTS = of(null);

    public TrainingConfig {
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(provider, "provider");
        if (rounds < 1) {
            throw TrainingException.invalidSpec("rounds must be ≥ 1, got " + rounds);
        }
        if (localEpochs < 1) {
            throw TrainingException.invalidSpec("localEpochs must be ≥ 1, got " + localEpochs);
        }
        if (batchSize < 1) {
            throw TrainingException.invalidSpec("batchSize must be ≥ 1, got " + batchSize);
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw TrainingException.invalidSpec("learningRate must be a positive number, got " + learningRate);
        }
        if (!(l2 >= 0) || !Double.isFinite(l2)) {
            throw TrainingException.invalidSpec("l2 must be ≥ 0, got " + l2);
        }
        if (patience < 1) {
            throw TrainingException.invalidSpec("patience must be ≥ 1, got " + patience);
        }
        if (!(lrDecay > 0 && lrDecay <= 1)) {
            throw TrainingException.invalidSpec("lrDecay must be in (0, 1], got " + lrDecay);
        }
        if (augment < 0) {
            throw TrainingException.invalidSpec("augment must be ≥ 0 pixels, got " + augment);
        }
    }

    /**
     * Parses the wire form (null: every default). Names are trimmed and case-insensitive; an optimiser's own
     * parameters are read only for that optimiser (momentum for sgd, the betas for adam).
     *
     * @throws TrainingException {@code invalidSpec} naming the field, the value and the allowed range
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static TrainingConfig of(TrainingSpec spec) {
        TrainingSpec s = spec == null ? new TrainingSpec(null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null) : spec;
        Optimizer optimizer = switch (s.optimizer() == null ? "sgd" : s.optimizer().trim().toLowerCase(Locale.ROOT)) {
            case "sgd" -> new Optimizer.Sgd(or(s.momentum(), Optimizer.DEFAULT_MOMENTUM));
            case "adam" -> new Optimizer.Adam(or(s.beta1(), Optimizer.DEFAULT_BETA1),
                    or(s.beta2(), Optimizer.DEFAULT_BETA2));
            default -> throw TrainingException.invalidSpec("optimizer must be sgd or adam, got '" + s.optimizer()
                    + "'");
        };
        return new TrainingConfig(or(s.rounds(), DEFAULT_ROUNDS), or(s.localEpochs(), DEFAULT_LOCAL_EPOCHS),
                or(s.batchSize(), DEFAULT_BATCH_SIZE), or(s.learningRate(), optimizer.defaultLearningRate()),
                or(s.l2(), DEFAULT_L2), or(s.patience(), DEFAULT_PATIENCE), s.seed() == null ? DEFAULT_SEED : s.seed(),
                optimizer, s.engine() == null ? DEFAULT_ENGINE : Engine.parse(s.engine()),
                s.provider() == null ? DEFAULT_PROVIDER : Provider.parse(s.provider()),
                or(s.lrDecay(), DEFAULT_LR_DECAY), or(s.augment(), DEFAULT_AUGMENT));
    }

    /** The wire form with every value written out (momentum only for sgd, the betas only for adam). */
    @JsonValue
    public TrainingSpec toSpec() {
        Double momentum = optimizer instanceof Optimizer.Sgd sgd ? sgd.momentum() : null;
        Double beta1 = optimizer instanceof Optimizer.Adam adam ? adam.beta1() : null;
        Double beta2 = optimizer instanceof Optimizer.Adam adam ? adam.beta2() : null;
        return new TrainingSpec(rounds, localEpochs, batchSize, learningRate, momentum, l2, patience, seed,
                optimizer.name(), beta1, beta2, engine.wireName(), provider.wireName(), lrDecay, augment);
    }

    /** The configuration FedAvg round {@code round} (from 1) trains with: its decayed learning rate. */
    public TrainingConfig forRound(int round) {
        double lr = learningRate * Math.pow(lrDecay, Math.max(0, round - 1));
        return new TrainingConfig(rounds, localEpochs, batchSize, lr, l2, patience, seed, optimizer, engine, provider,
                lrDecay, augment);
    }

    /**
     * Checks what depends on the data: that {@code augment} fits rows of {@code features} features.
     *
     * @throws TrainingException {@code invalidSpec} with the value and the allowed range
     */
    public void checkFits(int features) {
        Shifts.of(augment, features, 0);
    }

    /**
     * What the engine's compiled session depends on; configurations with equal keys share one session (rounds,
     * patience, seed, the decay schedule and augmentation do not enter the epoch graph).
     */
    Object sessionKey() {
        return List.of(localEpochs, batchSize, learningRate, l2, optimizer, engine, provider);
    }

    private static int or(Integer value, int dflt) {
        return value == null ? dflt : value;
    }

    private static double or(Double value, double dflt) {
        return value == null ? dflt : value;
    }
}
