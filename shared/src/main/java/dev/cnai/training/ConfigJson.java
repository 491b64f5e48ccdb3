package dev.cnai.training;

import com.fasterxml.jackson.databind.util.StdConverter;
import dev.cnai.events.ModelSpec;

/**
 * The JSON form of an {@link Architecture} (in the run plan): its wire form, written with every default and parsed
 * back through {@link Architecture#of}. ({@link TrainingConfig}, a record, does the same with {@code @JsonValue} and
 * a delegating {@code @JsonCreator}; an interface needs converters.)
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
}
