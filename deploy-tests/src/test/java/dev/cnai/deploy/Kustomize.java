package dev.cnai.deploy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A kustomize renderer for exactly the features {@code knative/} uses, so the manifests can be checked without a
 * kustomize binary: {@code resources} (YAML files, multi-document, and directories holding a kustomization),
 * {@code namespace}, and {@code patches} — JSON 6902 (add, remove, replace, test; {@code target} required) and
 * strategic merge (maps merged, {@code null} deletes a key, lists replaced as kustomize does for custom resources,
 * {@code $patch: delete} removes the object; the target is the patch's own kind and name unless {@code target} is
 * given). Anything else in a kustomization is an error, never silently ignored. The transformers run in kustomize's
 * order: namespace, then patches.
 */
public final class Kustomize {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "resources", "namespace", "patches");
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding",
            "CustomResourceDefinition", "PersistentVolume", "StorageClass", "RuntimeClass", "PriorityClass");

    /** A kustomization that cannot be rendered. */
    public static final class KustomizeException extends RuntimeException {
        KustomizeException(String message) {
            super(message);
        }
    }

    private Kustomize() {
    }

    /** Renders the kustomization in {@code dir} (its {@code kustomization.yaml}). */
    public static List<ObjectNode> build(Path dir) {
        Path k = dir.resolve("kustomization.yaml");
        if (!Files.isRegularFile(k)) {
            throw new KustomizeException("no kustomization.yaml in " + dir);
        }
        JsonNode kust = readOne(k);
        for (Iterator<String> it = kust.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!SUPPORTED.contains(f)) {
                throw new KustomizeException(k + ": '" + f + "' is not supported by this renderer (supported: "
                        + SUPPORTED + ")");
            }
        }
        List<ObjectNode> objects = new ArrayList<>();
        for (JsonNode r : kust.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            if (Files.isDirectory(p)) {
                objects.addAll(build(p));
            } else if (Files.isRegularFile(p)) {
                objects.addAll(readAll(p));
            } else {
                throw new KustomizeException(k + ": resource " + r.asText() + " does not exist");
            }
        }
        checkUnique(objects, k);
        if (kust.hasNonNull("namespace")) {
            String ns = kust.get("namespace").asText();
            for (ObjectNode o : objects) {
                if (!CLUSTER_SCOPED.contains(o.path("kind").asText())) {
                    ((ObjectNode) o.with("metadata")).put("namespace", ns);
                }
                if (o.path("kind").asText().endsWith("RoleBinding")) {
                    for (JsonNode s : o.path("subjects")) {
                        if ("ServiceAccount".equals(s.path("kind").asText())
                                && "default".equals(s.path("namespace").asText())) {
                            ((ObjectNode) s).put("namespace", ns);
                        }
                    }
                }
            }
        }
        for (JsonNode patch : kust.path("patches")) {
            applyPatch(dir, k, patch, objects);
        }
        return objects;
    }

    private static void applyPatch(Path dir, Path k, JsonNode entry, List<ObjectNode> objects) {
        JsonNode body;
        String where;
        if (entry.hasNonNull("path")) {
            Path p = dir.resolve(entry.get("path").asText());
            where = p.toString();
            if (!Files.isRegularFile(p)) {
                throw new KustomizeException(k + ": patch " + entry.get("path").asText() + " does not exist");
            }
            body = readOne(p);
        } else if (entry.hasNonNull("patch")) {
            where = k + " (inline patch)";
            try {
                body = YAML.readTree(entry.get("patch").asText());
            } catch (IOException e) {
                throw new KustomizeException(where + ": not YAML: " + e.getMessage());
            }
        } else {
            throw new KustomizeException(k + ": a patch needs 'path' or 'patch'");
        }
        for (Iterator<String> it = entry.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!Set.of("path", "patch", "target").contains(f)) {
                throw new KustomizeException(k + ": patch field '" + f + "' is not supported");
            }
        }
        JsonNode target = entry.get("target");
        if (body.isArray()) {
            if (target == null) {
                throw new KustomizeException(where + ": a JSON 6902 patch needs a target");
            }
            List<ObjectNode> matched = select(objects, target);
            if (matched.isEmpty()) {
                throw new KustomizeException(where + ": target " + target + " matches no object");
            }
            for (ObjectNode o : matched) {
                ObjectNode patched = Json6902.apply(o, (ArrayNode) body, where + " on " + id(o));
                objects.set(indexOf(objects, o), patched);
            }
            return;
        }
        if (!body.isObject()) {
            throw new KustomizeException(where + ": a patch is a list (JSON 6902) or an object (strategic merge)");
        }
        List<ObjectNode> matched;
        if (target != null) {
            matched = select(objects, target);
        } else {
            ObjectNode t = JsonNodeFactory.instance.objectNode();
            t.put("kind", body.path("kind").asText());
            String[] gv = body.path("apiVersion").asText().split("/");
            if (gv.length == 2) {
                t.put("group", gv[0]);
            }
            t.put("version", gv[gv.length - 1]);
            t.put("name", body.path("metadata").path("name").asText());
            if (body.path("metadata").hasNonNull("namespace")) {
                t.put("namespace", body.path("metadata").path("namespace").asText());
            }
            matched = select(objects, t);
        }
        if (matched.isEmpty()) {
            throw new KustomizeException(where + ": strategic merge patch matches no object");
        }
        for (ObjectNode o : matched) {
            JsonNode directive = body.get("$patch");
            if (directive != null) {
                if (!"delete".equals(directive.asText())) {
                    throw new KustomizeException(where + ": only '$patch: delete' is supported");
                }
                objects.remove(indexOf(objects, o));
                continue;
            }
            ObjectNode copy = o.deepCopy();
            merge(copy, (ObjectNode) body, where);
            objects.set(indexOf(objects, o), copy);
        }
    }

    private static void merge(ObjectNode into, ObjectNode patch, String where) {
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().startsWith("$")) {
                throw new KustomizeException(where + ": directive " + e.getKey() + " is not supported");
            }
            JsonNode v = e.getValue();
            if (v.isNull()) {
                into.remove(e.getKey());
            } else if (v.isObject() && into.get(e.getKey()) instanceof ObjectNode existing) {
                merge(existing, (ObjectNode) v, where);
            } else {
                into.set(e.getKey(), v.deepCopy());
            }
        }
    }

    /** Objects matching a kustomize patch target (group, version, kind, name, namespace, labelSelector). */
    static List<ObjectNode> select(List<ObjectNode> objects, JsonNode target) {
        for (Iterator<String> it = target.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!Set.of("group", "version", "kind", "name", "namespace", "labelSelector").contains(f)) {
                throw new KustomizeException("patch target field '" + f + "' is not supported");
            }
        }
        List<ObjectNode> out = new ArrayList<>();
        for (ObjectNode o : objects) {
            String[] gv = o.path("apiVersion").asText().split("/");
            String group = gv.length == 2 ? gv[0] : "";
            String version = gv[gv.length - 1];
            JsonNode md = o.path("metadata");
            if (target.has("group") && !target.get("group").asText().equals(group)
                    || target.has("version") && !target.get("version").asText().equals(version)
                    || target.has("kind") && !target.get("kind").asText().equals(o.path("kind").asText())
                    || target.has("name") && !target.get("name").asText().equals(md.path("name").asText())
                    || target.has("namespace")
                    && !target.get("namespace").asText().equals(md.path("namespace").asText())) {
                continue;
            }
            if (target.has("labelSelector") && !labelsMatch(md.path("labels"), target.get("labelSelector").asText())) {
                continue;
            }
            out.add(o);
        }
        return out;
    }

    private static boolean labelsMatch(JsonNode labels, String selector) {
        for (String term : selector.split(",")) {
            String t = term.trim();
            if (t.isEmpty()) {
                continue;
            }
            int eq = t.indexOf('=');
            if (eq <= 0 || t.contains("!=") || t.contains(" in ") || t.contains("notin")) {
                throw new KustomizeException("labelSelector term '" + t + "': only key=value terms are supported");
            }
            String key = t.substring(0, eq).trim();
            String value = t.substring(t.startsWith("==", eq) ? eq + 2 : eq + 1).trim();
            if (!value.equals(labels.path(key).asText(null))) {
                return false;
            }
        }
        return true;
    }

    static String id(JsonNode o) {
        JsonNode md = o.path("metadata");
        return o.path("apiVersion").asText() + " " + o.path("kind").asText() + " "
                + (md.hasNonNull("namespace") ? md.get("namespace").asText() + "/" : "") + md.path("name").asText();
    }

    private static void checkUnique(List<ObjectNode> objects, Path k) {
        Set<String> seen = new java.util.HashSet<>();
        for (ObjectNode o : objects) {
            String[] gv = o.path("apiVersion").asText().split("/");
            String key = (gv.length == 2 ? gv[0] : "") + "|" + o.path("kind").asText() + "|"
                    + o.path("metadata").path("namespace").asText("") + "|" + o.path("metadata").path("name").asText();
            if (!seen.add(key)) {
                throw new KustomizeException(k + ": may not add resource with an already registered id: " + id(o));
            }
        }
    }

    private static int indexOf(List<ObjectNode> objects, ObjectNode o) {
        for (int i = 0; i < objects.size(); i++) {
            if (objects.get(i) == o) {
                return i;
            }
        }
        throw new IllegalStateException("object not in list");
    }

    /** All documents of a YAML file that are objects (empty documents skipped). */
    static List<ObjectNode> readAll(Path file) {
        List<ObjectNode> out = new ArrayList<>();
        try (JsonParser parser = YAML.getFactory().createParser(file.toFile())) {
            for (JsonNode doc : YAML.readValues(parser, JsonNode.class).readAll()) {
                if (doc == null || doc.isNull() || doc.isMissingNode()) {
                    continue;
                }
                if (!doc.isObject()) {
                    throw new KustomizeException(file + ": a document is not a Kubernetes object");
                }
                if (!doc.hasNonNull("apiVersion") || !doc.hasNonNull("kind")
                        || !doc.path("metadata").hasNonNull("name")) {
                    throw new KustomizeException(file + ": a document lacks apiVersion, kind or metadata.name");
                }
                out.add((ObjectNode) doc);
            }
        } catch (IOException e) {
            throw new KustomizeException(file + ": not YAML: " + e.getMessage());
        }
        return out;
    }

    private static JsonNode readOne(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new KustomizeException(file + ": not YAML: " + e.getMessage());
        }
    }
}
