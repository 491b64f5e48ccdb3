package dev.cnai.cli.models;

import dev.cnai.registry.ModelAnnotations;
import dev.cnai.registry.ModelVersion;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code cnai models compare A B}: metrics with deltas (B − A) and lineage side by side. */
@Command(name = "compare", usageHelpAutoWidth = false,
        description = "Two versions side by side: metrics (with deltas B - A) and lineage.")
final class CompareCommand extends ModelsCommand.Verb {
    @Parameters(paramLabel = "REF", arity = "2", description = "two versions or aliases: A B")
    List<String> refs;

    @Override
    void run(ModelsCommand.Context c) {
        ModelVersion a = Views.resolve(c, refs.get(0));
        ModelVersion b = Views.resolve(c, refs.get(1));
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("", label(refs.get(0), a), label(refs.get(1), b), "DELTA"));
        Map<String, String> ma = Views.metrics(a);
        Map<String, String> mb = Views.metrics(b);
        Set<String> keys = new LinkedHashSet<>(ma.keySet());
        keys.addAll(mb.keySet());
        for (String k : keys) {
            rows.add(List.of(k, Views.or(ma.get(k)), Views.or(mb.get(k)), delta(ma.get(k), mb.get(k))));
        }
        rows.add(List.of("run", Views.or(a.runId()), Views.or(b.runId()), ""));
        for (String[] f : new String[][] {{"parent", ModelAnnotations.PARENT_VERSION},
                {"dataset", ModelAnnotations.DATASET_DIGEST}, {"test split", ModelAnnotations.TEST_DIGEST},
                {"created", ModelAnnotations.OCI_CREATED}}) {
            String va = a.annotations().get(f[1]);
            String vb = b.annotations().get(f[1]);
            rows.add(List.of(f[0], Views.shortDigest(va), Views.shortDigest(vb),
                    va != null && va.equals(vb) ? "same" : "differs"));
        }
        Map<String, String> ha = Views.json(a.annotations().get(ModelAnnotations.HYPERPARAMETERS));
        Map<String, String> hb = Views.json(b.annotations().get(ModelAnnotations.HYPERPARAMETERS));
        Set<String> hk = new LinkedHashSet<>(ha.keySet());
        hk.addAll(hb.keySet());
        for (String k : hk) {
            String va = ha.get(k);
            String vb = hb.get(k);
            rows.add(List.of("hp." + k, Views.or(va), Views.or(vb), va != null && va.equals(vb) ? "same" : "differs"));
        }
        rows.add(List.of("model.onnx", Views.shortDigest(a.modelDigest()), Views.shortDigest(b.modelDigest()),
                a.modelDigest().equals(b.modelDigest()) ? "same" : "differs"));
        Views.table(c.out(), rows);
        String sa = a.annotations().get(ModelAnnotations.TEST_DIGEST);
        if (sa == null || !sa.equals(b.annotations().get(ModelAnnotations.TEST_DIGEST))) {
            c.out().println("note: the test splits differ (or are unknown), so the metrics are not directly comparable");
        }
    }

    private static String label(String ref, ModelVersion v) {
        return ref.equals(v.version()) ? v.version() : ref + " (" + v.version() + ")";
    }

    private static String delta(String a, String b) {
        try {
            return Views.number(Double.parseDouble(b) - Double.parseDouble(a)).replaceFirst("^(?!-)", "+");
        } catch (NumberFormatException | NullPointerException e) {
            return "";
        }
    }
}
