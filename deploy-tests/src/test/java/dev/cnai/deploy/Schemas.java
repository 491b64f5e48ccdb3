package dev.cnai.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Validates rendered objects the way a Kubernetes API server with strict field validation would:
 * Knative kinds against the openAPIV3Schema of the matching CRD version in {@code specs/knative-crds}
 * (structural-schema semantics: unknown fields are errors unless {@code x-kubernetes-preserve-unknown-fields},
 * {@code null} values are dropped unless {@code nullable}, other {@code x-kubernetes-*} keys ignored), their
 * {@code metadata} as a strict {@link ObjectMeta}; Kubernetes core kinds by strict deserialisation into the fabric8
 * model (unknown properties, wrong scalar types). Any other kind is an error: nothing passes unvalidated.
 */
final class Schemas {

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private static final Map<String, Class<?>> CORE = Map.of(
            "v1/ServiceAccount", ServiceAccount.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/Namespace", Namespace.class,
            "v1/Secret", Secret.class,
            "v1/PersistentVolumeClaim", PersistentVolumeClaim.class,
            "rbac.authorization.k8s.io/v1/Role", Role.class,
            "rbac.authorization.k8s.io/v1/RoleBinding", RoleBinding.class,
            "rbac.authorization.k8s.io/v1/ClusterRole", ClusterRole.class,
            "rbac.authorization.k8s.io/v1/ClusterRoleBinding", ClusterRoleBinding.class);

    /** "group/version/Kind" → schema, from every CRD under the directory. */
    private final Map<String, JsonSchema> crds = new HashMap<>();
    private final Path crdDir;

    Schemas(Path crdDir) throws IOException {
        this.crdDir = crdDir;
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);
        List<Path> files;
        try (Stream<Path> s = Files.walk(crdDir)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        for (Path f : files) {
            for (JsonNode doc : Kustomize.readAll(f)) {
                if (!"CustomResourceDefinition".equals(doc.path("kind").asText())) {
                    continue;
                }
                String group = doc.path("spec").path("group").asText();
                String kind = doc.path("spec").path("names").path("kind").asText();
                for (JsonNode v : doc.path("spec").path("versions")) {
                    if (!v.path("served").asBoolean(true)) {
                        continue;
                    }
                    ObjectNode schema = (ObjectNode) adapt(v.path("schema").path("openAPIV3Schema").deepCopy());
                    // apiVersion, kind and metadata are implicit at the root of every Kubernetes object
                    ObjectNode props = schema.with("properties");
                    props.putIfAbsent("apiVersion", schema.objectNode().put("type", "string"));
                    props.putIfAbsent("kind", schema.objectNode().put("type", "string"));
                    props.putIfAbsent("metadata", schema.objectNode().put("type", "object"));
                    crds.put(group + "/" + v.path("name").asText() + "/" + kind, factory.getSchema(schema));
                }
            }
        }
        if (crds.isEmpty()) {
            throw new IOException("no CustomResourceDefinitions under " + crdDir);
        }
    }

    /** The kinds with a CRD schema, as "group/version/Kind". */
    java.util.Set<String> crdKinds() {
        return crds.keySet();
    }

    Path crdDir() {
        return crdDir;
    }

    /** Problems with one object; empty when it is valid. */
    List<String> validate(JsonNode object) {
        String apiVersion = object.path("apiVersion").asText();
        String kind = object.path("kind").asText();
        String id = Kustomize.id(object);
        List<String> problems = new ArrayList<>();
        JsonSchema schema = crds.get(apiVersion + "/" + kind);
        if (schema != null) {
            JsonNode pruned = dropNulls(object.deepCopy());
            for (ValidationMessage m : schema.validate(pruned)) {
                problems.add(id + ": " + m.getMessage());
            }
            problems.addAll(strict(object.path("metadata"), ObjectMeta.class, id + ": metadata"));
            return problems;
        }
        Class<?> type = CORE.get(apiVersion + "/" + kind);
        if (type == null) {
            return List.of(id + ": no schema for " + apiVersion + " " + kind
                    + " (not a Knative CRD under " + crdDir + ", nor a supported Kubernetes core type)");
        }
        return strict(object, type, id);
    }

    /** Strict fabric8 deserialisation: unknown properties and wrong types fail, even where fabric8 would keep them. */
    static List<String> strict(JsonNode node, Class<?> type, String id) {
        Object value;
        try {
            value = STRICT.treeToValue(node, type);
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            return List.of(id + ": " + e.getPathReference().replaceAll("[a-zA-Z0-9_.$]+\\[\"", ".")
                    .replace("\"]", "") + ": " + e.getOriginalMessage().split("\n")[0]);
        } catch (IOException | IllegalArgumentException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().split("\n")[0];
            return List.of(id + ": " + msg);
        }
        List<String> problems = new ArrayList<>();
        unknownProperties(value, id, problems, new IdentityHashMap<>());
        return problems;
    }

    /** fabric8 models collect unknown fields in additionalProperties instead of failing: report them. */
    private static void unknownProperties(Object o, String path, List<String> problems, Map<Object, Boolean> seen) {
        if (o == null || seen.put(o, Boolean.TRUE) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                unknownProperties(e, path + "[" + i++ + "]", problems, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                unknownProperties(e.getValue(), path + "." + e.getKey(), problems, seen);
            }
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method g : o.getClass().getMethods()) {
            if (g.getParameterCount() != 0 || Modifier.isStatic(g.getModifiers())
                    || !(g.getName().startsWith("get")) || g.getDeclaringClass() == Object.class) {
                continue;
            }
            Object v;
            try {
                v = g.invoke(o);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (g.getName().equals("getAdditionalProperties")) {
                if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": unknown field(s) " + extra.keySet());
                }
                continue;
            }
            String field = Character.toLowerCase(g.getName().charAt(3)) + g.getName().substring(4);
            unknownProperties(v, path + "." + field, problems, seen);
        }
    }

    /** Kubernetes structural-schema semantics turned into plain JSON Schema draft 7. */
    static JsonNode adapt(JsonNode schema) {
        if (schema instanceof ObjectNode o) {
            boolean preserve = o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
            boolean intOrString = o.path("x-kubernetes-int-or-string").asBoolean(false);
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
                if (it.next().startsWith("x-kubernetes-")) {
                    it.remove();
                }
            }
            if (o.path("nullable").asBoolean(false) && o.has("type") && o.get("type").isTextual()) {
                ArrayNode types = o.arrayNode().add(o.get("type").asText()).add("null");
                o.set("type", types);
            }
            o.remove("nullable");
            if (intOrString && !o.has("anyOf") && !o.has("type")) {
                o.set("anyOf", o.arrayNode().add(o.objectNode().put("type", "integer"))
                        .add(o.objectNode().put("type", "string")));
            }
            if (o.has("properties") && !o.has("additionalProperties") && !preserve) {
                o.put("additionalProperties", false);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("properties")) {
                    for (Iterator<Map.Entry<String, JsonNode>> p = e.getValue().fields(); p.hasNext(); ) {
                        adapt(p.next().getValue());
                    }
                } else if (e.getValue().isContainerNode() && !e.getKey().equals("enum")
                        && !e.getKey().equals("required") && !e.getKey().equals("default")
                        && !e.getKey().equals("example")) {
                    adapt(e.getValue());
                }
            }
        } else if (schema instanceof ArrayNode a) {
            a.forEach(Schemas::adapt);
        }
        return schema;
    }

    /** The API server prunes null values of non-nullable fields before validating. */
    static JsonNode dropNulls(JsonNode n) {
        if (n instanceof ObjectNode o) {
            o.properties().removeIf(e -> e.getValue().isNull());
            o.forEach(Schemas::dropNulls);
        } else if (n instanceof ArrayNode a) {
            a.forEach(Schemas::dropNulls);
        }
        return n;
    }
}
