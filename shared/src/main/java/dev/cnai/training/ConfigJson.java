package dev.cnai.training;

import com.fasterxml.jackson.databind.util.StdConverter;
import dev.cnai.events.ModelSpec;
import dev.cnai.events.TrainingSpec;

/**
 * The JSON form of the validated configuration (in the run plan): its wire form, written with every default and
 * parsed back through the same constructors that check it.
 */
final class ConfigJson {
    private ConfigJson() {
    }

    /** Writes an architecture as its wire form. */
    public static final class ArchitectureToSpec extends StdConverter<Architecture, ModelSpec> {
        @Override
        public ModelSpec convert(Architecture value) {
            return value.toSpec();
        }
    }

    /** Reads an architecture from its wire form. */
    public static final class ArchitectureFromSpec extends StdConverter<ModelSpec, Architecture> {
        @Override
        public Architecture convert(ModelSpec value) {
            return Architecture.of(value);
        }
    }

    /** Writes a training configuration as its wire form. */
    public static final class TrainingToSpec extends StdConverter<TrainingConfig, TrainingSpec> {
        @Override
        public TrainingSpec convert(TrainingConfig value) {
            return value.toSpec();
        }
    }

    /** Reads a training configuration from its wire form. */
    public static final class TrainingFromSpec extends StdConverter<TrainingSpec, TrainingConfig> {
        @Override
        public TrainingConfig convert(TrainingSpec value) {
            return TrainingConfig.of(value);
        }
    }
}
