package dev.cnai.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps the Java renderer honest: where {@code kubectl} (with its built-in kustomize) is on the PATH, every overlay
 * rendered by {@code kubectl kustomize} must give the same objects as {@link Kustomize}. Machines without kubectl
 * skip this check (the manifests are still rendered and validated by {@link KnativeManifestsTest}).
 */
class KubectlCrossCheckTest {

    static java.util.stream.Stream<String> overlays() throws IOException {
        return KnativeManifestsTest.overlays();
    }

    private static Path kubectl;
    private static boolean looked;

    /** kubectl on the PATH whose built-in kustomize is v4 or newer (older ones lack {@code patches}), or null. */
    static synchronized Path kubectl() throws Exception {
        if (looked) {
            return kubectl;
        }
        looked = true;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, "kubectl");
            if (Files.isExecutable(p)) {
                Process v = new ProcessBuilder(p.toString(), "version", "--client").redirectErrorStream(true).start();
                String text = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                v.waitFor(30, TimeUnit.SECONDS);
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("Kustomize Version: v(\\d+)").matcher(text);
                if (m.find() && Integer.parseInt(m.group(1)) >= 4) {
                    kubectl = p;
                }
                return kubectl;
            }
        }
        return null;
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void kubectlKustomizeRendersTheSameObjects(String overlay) throws Exception {
        Path kubectl = kubectl();
        Assumptions.assumeTrue(kubectl != null, "no kubectl with kustomize v4+ on the PATH");
        Path dir = KnativeManifestsTest.REPO.resolve("knative/overlays/" + overlay);
        Process p = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString()).redirectErrorStream(false)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kubectl kustomize " + overlay + " timed out");
        }
        assertEquals(0, p.exitValue(), "kubectl kustomize " + overlay + " failed: " + err);
        Map<String, JsonNode> theirs = new TreeMap<>();
        try (var parser = new YAMLFactory().createParser(out)) {
            for (JsonNode doc : Kustomize.YAML.readValues(parser, JsonNode.class).readAll()) {
                theirs.put(Kustomize.id(doc), doc);
            }
        }
        Map<String, JsonNode> ours = new TreeMap<>();
        List<ObjectNode> rendered = Kustomize.build(dir);
        rendered.forEach(o -> ours.put(Kustomize.id(o), o));
        assertEquals(theirs.keySet(), ours.keySet(), overlay + ": different objects");
        for (String id : ours.keySet()) {
            assertEquals(theirs.get(id), ours.get(id), overlay + ": " + id + " differs");
        }
    }
}
