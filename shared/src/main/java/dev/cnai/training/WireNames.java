package dev.cnai.training;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The wire names of the configuration enums: their constants in lower case, parsed case-insensitively. */
final class WireNames {
    private WireNames() {
    }

    static String of(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The constant whose wire name is {@code value} (trimmed, any case).
     *
     * @throws TrainingException {@code invalidSpec}: "{@code field} must be a, b or c, got 'value'"
     */
    static <E extends Enum<E>> E parse(Class<E> type, String value, String field) {
        String wanted = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (E e : type.getEnumConstants()) {
            if (of(e).equals(wanted)) {
                return e;
            }
        }
        List<String> names = Arrays.stream(type.getEnumConstants()).map(WireNames::of).toList();
        String allowed = String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
        throw TrainingException.invalidSpec(field + " must be " + allowed + ", got '" + value + "'");
    }
}
