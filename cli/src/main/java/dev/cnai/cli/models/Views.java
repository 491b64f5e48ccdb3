package dev.cnai.cli.models;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cnai.events.EventCodec;
import dev.cnai.registry.ModelAnnotations;
import dev.cnai.registry.ModelVersion;
import dev.cnai.registry.RegistryException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reading annotations and formatting tables for the models verbs. */
final class Views {
    private Views() {
    }

    static ModelVersion resolve(ModelsCommand.Context c, String ref) {
        return c.registry().resolve(c.name(), ref).orElseThrow(() -> RegistryException.notFound(c.name(), ref,
                c.registry().list(c.name()).stream().map(ModelVersion::version).toList()));
    }

    /** Metrics (or any flat JSON annotation) as an ordered map of texts. */
    static Map<String, String> json(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null) {
            return out;
        }
        try {
            JsonNode node = EventCodec.mapper().readTree(text);
            node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isNumber()
                    ? number(e.getValue().asDouble()) : e.getValue().isTextual() ? e.getValue().asText()
                            : e.getValue().toString()));
        } catch (IOException e) {
            out.put("(unreadable)", text);
        }
        return out;
    }

    static Map<String, String> metrics(ModelVersion v) {
        return json(v.annotations().get(ModelAnnotations.METRICS));
    }

    static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d)
                : String.format(Locale.ROOT, "%.4f", d);
    }

    static String shortDigest(String digest) {
        return digest == null ? "-" : digest.length() > 19 ? digest.substring(0, 19) + "…" : digest;
    }

    static String or(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    /** Prints rows as left-aligned columns (first row is the header). */
    static void table(java.io.PrintStream out, List<List<String>> rows) {
        int cols = rows.stream().mapToInt(List::size).max().orElse(0);
        int[] width = new int[cols];
        for (List<String> r : rows) {
            for (int i = 0; i < r.size(); i++) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        for (List<String> r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.size(); i++) {
                sb.append(i == r.size() - 1 ? r.get(i) : String.format("%-" + width[i] + "s  ", r.get(i)));
            }
            out.println(sb.toString().stripTrailing());
        }
    }
}
