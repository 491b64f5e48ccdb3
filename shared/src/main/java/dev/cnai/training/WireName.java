package dev.cnai.training;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** A configuration enum as it is written on the wire: its constant's name in lower case, read in any case. */
public interface WireName {
    /** The enum constant's name. */
    String name();

    /** The wire name, e.g. {@code onnx} or {@code cuda}. */
    default String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The constant whose wire name is {@code value} (trimmed, any case).
     *
     * @throws TrainingException {@code invalidSpec}: "{@code field} must be a, b or c, got 'value'"
     */
    static <E extends Enum<E> & WireName> E parse(Class<E> type, String value, String field) {
        String wanted = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (E e : type.getEnumConstants()) {
            if (e.wireName().equals(wanted)) {
                return e;
            }
        }
        List<String> names = Arrays.stream(type.getEnumConstants()).map(WireName::wireName).toList();
        String allowed = String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
        throw TrainingException.invalidSpec(field + " must be " + allowed + ", got '" + value + "'");
    }
}
