package dev.cnai.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.cnai.events.EventTypes;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The event catalogue, the functions and the Trigger manifests agree: every type a function consumes
 * has a Trigger to that function, every Trigger names a real function and a catalogue type that
 * function consumes, and docs/events.md documents every type with its schema.
 */
class EventCatalogueTest {
    static final Path REPO = Path.of(System.getProperty("cnai.repo", "..")).toAbsolutePath().normalize();

    record TriggerRef(String name, String type, String subscriber) {
    }

    /**
     * A function's settings as Quarkus reads them: the ones every function shares (support's
     * META-INF/microprofile-config.properties, in the support jar), its own application.properties over them, and
     * {@code ${cnai.function}} expanded.
     */
    static Properties settings(Path props) throws IOException {
        Properties p = new Properties();
        for (Path f : List.of(REPO.resolve("functions/support/src/main/resources/META-INF/microprofile-config.properties"),
                props)) {
            try (Reader r = Files.newBufferedReader(f)) {
                p.load(r);
            }
        }
        String function = p.getProperty("cnai.function");
        if (function != null) {
            p.replaceAll((k, v) -> ((String) v).replace("${cnai.function}", function));
        }
        return p;
    }

    /** function name → accepted types, from each function's application.properties. */
    static Map<String, List<String>> functions() throws IOException {
        Map<String, List<String>> out = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(REPO.resolve("functions"))) {
            for (Path d : dirs.toList()) {
                Path props = d.resolve("src/main/resources/application.properties");
                if (!Files.isRegularFile(props)) {
                    continue;
                }
                Properties p = settings(props);
                assertEquals(d.getFileName().toString(), p.getProperty("cnai.function"), "function name of " + d);
                assertEquals(p.getProperty("cnai.function"), p.getProperty("quarkus.funqy.export"), "export of " + d);
                out.put(p.getProperty("cnai.function"), List.of(p.getProperty("cnai.accepts").split(",")));
            }
        }
        return out;
    }

    static List<TriggerRef> triggers() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        List<TriggerRef> out = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(REPO.resolve("knative"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).toList();
        }
        for (Path f : files) {
            try (YAMLParser parser = new YAMLFactory().createParser(f.toFile())) {
                for (JsonNode doc : yaml.readValues(parser, JsonNode.class).readAll()) {
                    if ("Trigger".equals(doc.path("kind").asText())) {
                        out.add(new TriggerRef(doc.path("metadata").path("name").asText(),
                                doc.path("spec").path("filter").path("attributes").path("type").asText(),
                                doc.path("spec").path("subscriber").path("ref").path("name").asText()));
                    }
                }
            }
        }
        return out;
    }

    @Test
    void everyConsumedTypeHasATriggerToItsFunction() throws IOException {
        Map<String, List<String>> functions = functions();
        assertEquals(Set.of("preprocess", "train-shard", "evaluate", "register", "infer"), functions.keySet());
        List<TriggerRef> triggers = triggers();
        functions.forEach((fn, types) -> types.forEach(type -> {
            assertTrue(EventTypes.all().containsKey(type), fn + " accepts " + type + ", which is not in EventTypes");
            assertTrue(triggers.stream().anyMatch(t -> t.type().equals(type) && t.subscriber().equals(fn)),
                    "no Trigger routes " + type + " to " + fn);
        }));
    }

    @Test
    void everyTriggerNamesARealFunctionAndATypeItConsumes() throws IOException {
        Map<String, List<String>> functions = functions();
        Set<String> names = new HashSet<>();
        for (TriggerRef t : triggers()) {
            assertTrue(names.add(t.name()), "duplicate Trigger " + t.name());
            assertTrue(functions.containsKey(t.subscriber()), "Trigger " + t.name() + " targets unknown " + t.subscriber());
            assertTrue(functions.get(t.subscriber()).contains(t.type()),
                    "Trigger " + t.name() + " sends " + t.type() + " to " + t.subscriber() + ", which does not accept it");
        }
    }

    @Test
    void eventsDocDocumentsEveryTypeAndItsSchema() throws IOException {
        String doc = Files.readString(REPO.resolve("docs/events.md"));
        for (String type : EventTypes.all().keySet()) {
            assertTrue(doc.contains("`" + type + "`"), "docs/events.md does not document " + type);
            assertTrue(doc.contains(type + ".schema.json"), "docs/events.md does not link the schema of " + type);
        }
    }
}
