package dev.cnai.energy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where a joule figure comes from: measured by RAPL counters, or estimated from CPU time. */
public enum EnergySource {
    /** Intel/AMD RAPL package energy counters (powercap), apportioned to this process by its share of busy CPU. */
    RAPL,
    /** CPU-seconds × {@link EnergyConfig#wattsPerCore()}: a model, not a measurement. */
    ESTIMATE;

    /** The wire and metric tag name: {@code rapl} or {@code estimate}. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static EnergySource of(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
