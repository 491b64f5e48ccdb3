package dev.cnai.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/** What evaluate decided after a round; the JSON form is {@code continue}, {@code early-stop} or {@code done}. */
public enum Decision {
    /** Train another round from the averaged weights. */
    CONTINUE("continue"),
    /** No validation improvement for {@code patience} rounds: export the best round. */
    EARLY_STOP("early-stop"),
    /** The last planned round: export the best round. */
    DONE("done");

    private final String json;

    Decision(String json) {
        this.json = json;
    }

    /** The value on the wire (and in {@code dev.cnai.round.completed.schema.json}). */
    @JsonValue
    public String json() {
        return json;
    }

    /** The decision whose wire value is {@code value}. */
    @JsonCreator
    public static Decision of(String value) {
        return Arrays.stream(values()).filter(d -> d.json.equals(value)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown decision: " + value));
    }

    @Override
    public String toString() {
        return json;
    }
}
