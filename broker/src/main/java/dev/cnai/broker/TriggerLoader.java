package dev.cnai.broker;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads Knative {@code Trigger} manifests from YAML files. Multi-document files are allowed; documents of
 * other kinds are ignored; invalid Triggers are skipped with a warning naming the file and the problem.
 */
public final class TriggerLoader {

    /** The API group/version of Knative Triggers. */
    public static final String API_VERSION = "eventing.knative.dev/v1";

    // Streaming parser only: reading into plain maps avoids initialising Jackson databind on the start-up path.
    private static final YAMLFactory YAML = new YAMLFactory();

    /**
     * Triggers found and problems met while reading.
     *
     * @param triggers valid Triggers in file order
     * @param warnings human-readable problems (skipped documents, bad values replaced by defaults)
     */
    public record Result(List<Trigger> triggers, List<String> warnings) {
    }

    private TriggerLoader() {
    }

    /**
     * Reads every {@code *.yaml}/{@code *.yml} file under {@code dir}, recursively, in path order.
     *
     * @throws IllegalArgumentException when {@code dir} is not a directory
     */
    public static Result loadDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("trigger directory not found: " + dir.toAbsolutePath());
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> {
                        String n = p.getFileName().toString();
                        return n.endsWith(".yaml") || n.endsWith(".yml");
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        List<Trigger> triggers = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (Path file : files) {
            try {
                Result r = parse(Files.readString(file), file);
                triggers.addAll(r.triggers());
                warnings.addAll(r.warnings());
            } catch (IOException e) {
                warnings.add(file + ": cannot read: " + e.getMessage());
            }
        }
        return new Result(List.copyOf(triggers), List.copyOf(warnings));
    }

    /** Parses the Triggers in one (possibly multi-document) YAML text; {@code file} is used in messages. */
    public static Result parse(String yaml, Path file) {
        List<Trigger> triggers = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        String where = file == null ? "<yaml>" : file.toString();
        int doc = 0;
        try (JsonParser parser = YAML.createParser(yaml)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                Object value = readValue(parser, token);
                doc++;
                if (!(value instanceof Map<?, ?> node)) {
                    continue;
                }
                if (!"Trigger".equals(text(node.get("kind")))) {
                    continue;
                }
                String apiVersion = String.valueOf(node.get("apiVersion"));
                if (!API_VERSION.equals(apiVersion)) {
                    warnings.add(where + " document " + doc + ": Trigger with apiVersion '" + apiVersion
                            + "' (expected " + API_VERSION + "); reading it anyway");
                }
                try {
                    triggers.add(toTrigger(node, file, where + " document " + doc, warnings));
                } catch (IllegalArgumentException e) {
                    warnings.add(where + " document " + doc + ": Trigger skipped: " + e.getMessage());
                }
            }
        } catch (IOException | RuntimeException e) {
            warnings.add(where + ": not valid YAML, Triggers after document " + doc + " skipped: " + e.getMessage());
        }
        return new Result(List.copyOf(triggers), List.copyOf(warnings));
    }

    private static Trigger toTrigger(Map<?, ?> node, Path file, String where, List<String> warnings) {
        String name = text(path(node, "metadata", "name"));
        if (name == null) {
            throw new IllegalArgumentException("metadata.name is missing");
        }
        String namespace = text(path(node, "metadata", "namespace"));
        Map<?, ?> spec = map(node.get("spec"));
        String broker = text(spec.get("broker"));
        if (broker == null) {
            warnings.add(where + ": Trigger '" + name + "' has no spec.broker; using 'default'");
            broker = "default";
        }
        Map<String, String> filter = new LinkedHashMap<>();
        Object attrs = path(spec, "filter", "attributes");
        if (attrs instanceof Map<?, ?> a) {
            for (Map.Entry<?, ?> f : a.entrySet()) {
                filter.put(String.valueOf(f.getKey()), f.getValue() == null ? "" : String.valueOf(f.getValue()));
            }
        }
        Destination subscriber = destination(spec.get("subscriber"), "spec.subscriber");
        if (subscriber == null) {
            throw new IllegalArgumentException("Trigger '" + name + "' has no spec.subscriber (ref or uri)");
        }
        DeliverySpec delivery = delivery(spec.get("delivery"), name, where, warnings);
        return new Trigger(name, namespace, broker, filter, subscriber, delivery, file);
    }

    private static DeliverySpec delivery(Object value, String name, String where, List<String> warnings) {
        if (!(value instanceof Map<?, ?> d)) {
            return DeliverySpec.DEFAULT;
        }
        DeliverySpec def = DeliverySpec.DEFAULT;
        int retry = def.retry();
        if (d.get("retry") != null) {
            Object r = d.get("retry");
            if (r instanceof Number n && n.longValue() == n.doubleValue() && n.longValue() >= 0
                    && n.longValue() <= Integer.MAX_VALUE) {
                retry = n.intValue();
            } else {
                warnings.add(where + ": Trigger '" + name + "': spec.delivery.retry must be a non-negative integer, got '"
                        + r + "'; using " + retry);
            }
        }
        DeliverySpec.BackoffPolicy policy = def.backoffPolicy();
        String policyText = text(d.get("backoffPolicy"));
        if (policyText != null) {
            try {
                policy = DeliverySpec.BackoffPolicy.parse(policyText);
            } catch (IllegalArgumentException e) {
                warnings.add(where + ": Trigger '" + name + "': " + e.getMessage() + "; using exponential");
            }
        }
        Duration delay = duration(d.get("backoffDelay"), def.backoffDelay(), "backoffDelay", name, where, warnings);
        Duration timeout = duration(d.get("timeout"), null, "timeout", name, where, warnings);
        Destination dls = destination(d.get("deadLetterSink"), "spec.delivery.deadLetterSink");
        return new DeliverySpec(retry, policy, delay, dls, timeout);
    }

    private static Duration duration(Object value, Duration def, String field, String name, String where,
            List<String> warnings) {
        String t = text(value);
        if (t == null) {
            return def;
        }
        try {
            Duration d = Duration.parse(t);
            if (d.isNegative()) {
                throw new DateTimeParseException("negative", t, 0);
            }
            return d;
        } catch (DateTimeParseException e) {
            warnings.add(where + ": Trigger '" + name + "': spec.delivery." + field
                    + " must be an ISO-8601 duration like PT0.5S, got '" + t + "'; using " + def);
            return def;
        }
    }

    private static Destination destination(Object value, String field) {
        if (!(value instanceof Map<?, ?> n)) {
            return null;
        }
        Map<?, ?> ref = map(n.get("ref"));
        String kind = text(ref.get("kind"));
        String refName = text(ref.get("name"));
        String refNs = text(ref.get("namespace"));
        String uriText = text(n.get("uri"));
        URI uri = null;
        if (uriText != null) {
            try {
                uri = new URI(uriText);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(field + ".uri is not a valid URI: " + uriText);
            }
        }
        if (refName == null && uri == null) {
            return null;
        }
        if (refName == null && !uri.isAbsolute()) {
            throw new IllegalArgumentException(field + ".uri must be absolute when there is no ref: " + uriText);
        }
        return new Destination(refName == null ? null : (kind == null ? "Service" : kind), refName, refNs, uri);
    }

    /** Reads the value starting at {@code token} as String/Number/Boolean/null, List or (ordered) Map. */
    private static Object readValue(JsonParser p, JsonToken token) throws IOException {
        switch (token) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                JsonToken t;
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    m.put(key, readValue(p, p.nextToken()));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                JsonToken t;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
                    l.add(readValue(p, t));
                }
                return l;
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return p.getNumberValue();
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return p.getBooleanValue();
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> {
                return p.getText();
            }
        }
    }

    private static Object path(Map<?, ?> m, String... keys) {
        Object cur = m;
        for (String k : keys) {
            if (!(cur instanceof Map<?, ?> cm)) {
                return null;
            }
            cur = cm.get(k);
        }
        return cur;
    }

    private static Map<?, ?> map(Object o) {
        return o instanceof Map<?, ?> m ? m : Map.of();
    }

    private static String text(Object o) {
        if (o == null || o instanceof Map || o instanceof List) {
            return null;
        }
        String t = String.valueOf(o);
        return t.isBlank() ? null : t.trim();
    }
}
