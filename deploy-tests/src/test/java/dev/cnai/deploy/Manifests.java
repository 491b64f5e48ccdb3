package dev.cnai.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The checks of a rendered overlay beyond schemas: routing (every Trigger's subscriber and dead-letter sink is a
 * Knative Service in the render; every type a function consumes has a Trigger to it), GPU placement (exactly the GPU
 * functions get exactly one MIG slice), Knative feature flags for the pod-spec fields used, and the function
 * Services' shape (scale to zero, probes, resources, hardening, accounts, K_SINK binding).
 */
final class Manifests {

    static final String MIG = "nvidia.com/mig-1g.10gb";
    static final Set<String> FUNCTIONS = Set.of("preprocess", "train-shard", "evaluate", "register", "infer");

    /** Function name → accepted event types (cnai.accepts in each function's application.properties). */
    static Map<String, List<String>> accepts(Path repo) throws IOException {
        Map<String, List<String>> out = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(repo.resolve("functions"))) {
            for (Path d : dirs.sorted().toList()) {
                Path props = d.resolve("src/main/resources/application.properties");
                if (!Files.isRegularFile(props)) {
                    continue;
                }
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(props)) {
                    p.load(r);
                }
                if (p.getProperty("cnai.accepts") != null) {
                    out.put(p.getProperty("cnai.function"), List.of(p.getProperty("cnai.accepts").split(",")));
                }
            }
        }
        return out;
    }

    private final List<ObjectNode> objects;
    private final List<String> problems = new ArrayList<>();

    Manifests(List<ObjectNode> objects) {
        this.objects = objects;
    }

    List<ObjectNode> ofKind(String apiVersion, String kind) {
        return objects.stream().filter(o -> o.path("apiVersion").asText().equals(apiVersion)
                && o.path("kind").asText().equals(kind)).toList();
    }

    List<ObjectNode> knativeServices() {
        return ofKind("serving.knative.dev/v1", "Service");
    }

    ObjectNode service(String name) {
        return knativeServices().stream().filter(s -> name.equals(s.path("metadata").path("name").asText()))
                .findFirst().orElse(null);
    }

    private boolean exists(String apiVersion, String kind, String namespace, String name) {
        return ofKind(apiVersion, kind).stream().anyMatch(o -> name.equals(o.path("metadata").path("name").asText())
                && namespace.equals(o.path("metadata").path("namespace").asText("")));
    }

    /** Every routing, placement and shape rule; the list of what is wrong (empty when all hold). */
    List<String> check(Map<String, List<String>> accepts, Set<String> gpuFunctions) {
        routing(accepts);
        gpu(gpuFunctions);
        featureFlags();
        functionShape();
        return problems;
    }

    private void destination(String who, JsonNode dest, String namespace) {
        JsonNode ref = dest.path("ref");
        if (!ref.isObject()) {
            if (!dest.hasNonNull("uri")) {
                problems.add(who + " has neither ref nor uri");
            }
            return;
        }
        String ns = ref.path("namespace").asText(namespace);
        if (!exists(ref.path("apiVersion").asText(), ref.path("kind").asText(), ns, ref.path("name").asText())) {
            problems.add(who + " references " + ref.path("apiVersion").asText() + " " + ref.path("kind").asText()
                    + " " + ns + "/" + ref.path("name").asText() + ", which is not in the render");
        }
    }

    private void routing(Map<String, List<String>> accepts) {
        List<ObjectNode> triggers = ofKind("eventing.knative.dev/v1", "Trigger");
        for (ObjectNode t : triggers) {
            String ns = t.path("metadata").path("namespace").asText("");
            String name = "Trigger " + t.path("metadata").path("name").asText();
            JsonNode sub = t.path("spec").path("subscriber");
            destination(name + " subscriber", sub, ns);
            if (!"serving.knative.dev/v1".equals(sub.path("ref").path("apiVersion").asText())
                    || !"Service".equals(sub.path("ref").path("kind").asText())) {
                problems.add(name + " subscriber is not a Knative Service");
            }
            if (!exists("eventing.knative.dev/v1", "Broker", ns, t.path("spec").path("broker").asText())) {
                problems.add(name + " names Broker '" + t.path("spec").path("broker").asText()
                        + "', which is not in the render");
            }
            JsonNode d = t.path("spec").path("delivery");
            if (d.path("retry").asInt(0) < 1 || !"exponential".equals(d.path("backoffPolicy").asText())
                    || !d.path("deadLetterSink").isObject()) {
                problems.add(name + " lacks a delivery spec with retry, exponential backoff and a dead-letter sink");
            } else {
                destination(name + " dead-letter sink", d.path("deadLetterSink"), ns);
            }
        }
        for (ObjectNode b : ofKind("eventing.knative.dev/v1", "Broker")) {
            JsonNode dls = b.path("spec").path("delivery").path("deadLetterSink");
            if (dls.isObject()) {
                destination("Broker " + b.path("metadata").path("name").asText() + " dead-letter sink", dls,
                        b.path("metadata").path("namespace").asText(""));
            }
        }
        accepts.forEach((fn, types) -> {
            for (String type : types) {
                boolean routed = triggers.stream().anyMatch(t ->
                        type.equals(t.path("spec").path("filter").path("attributes").path("type").asText())
                        && fn.equals(t.path("spec").path("subscriber").path("ref").path("name").asText()));
                if (!routed) {
                    problems.add("no Trigger routes " + type + " (consumed by " + fn + ") to Service " + fn);
                }
            }
        });
    }

    static JsonNode container(JsonNode service) {
        return service.path("spec").path("template").path("spec").path("containers").path(0);
    }

    private void gpu(Set<String> gpuFunctions) {
        for (ObjectNode s : knativeServices()) {
            String name = s.path("metadata").path("name").asText();
            JsonNode res = container(s).path("resources");
            List<String> gpuKeys = new ArrayList<>();
            for (String section : List.of("limits", "requests")) {
                res.path(section).fieldNames().forEachRemaining(k -> {
                    if (k.startsWith("nvidia.com/")) {
                        gpuKeys.add(section + "." + k);
                    }
                });
            }
            if (gpuFunctions.contains(name)) {
                if (!"1".equals(res.path("limits").path(MIG).asText())) {
                    problems.add("GPU function " + name + " does not have exactly one " + MIG + " in its limits");
                }
                if (res.path("requests").has(MIG) && !"1".equals(res.path("requests").path(MIG).asText())) {
                    problems.add("GPU function " + name + " requests " + res.path("requests").path(MIG) + " " + MIG);
                }
                gpuKeys.removeAll(List.of("limits." + MIG, "requests." + MIG));
                if (!gpuKeys.isEmpty()) {
                    problems.add("GPU function " + name + " asks for other GPU resources too: " + gpuKeys);
                }
            } else if (!gpuKeys.isEmpty()) {
                problems.add(name + " is not a GPU function but asks for " + gpuKeys);
            }
        }
    }

    /** Pod-spec fields Knative accepts only behind a config-features flag must have the flag in the render. */
    private void featureFlags() {
        JsonNode flags = objects.stream().filter(o -> "ConfigMap".equals(o.path("kind").asText())
                        && "config-features".equals(o.path("metadata").path("name").asText())
                        && "knative-serving".equals(o.path("metadata").path("namespace").asText()))
                .findFirst().map(o -> o.path("data")).orElse(com.fasterxml.jackson.databind.node.MissingNode
                        .getInstance());
        for (ObjectNode s : knativeServices()) {
            JsonNode pod = s.path("spec").path("template").path("spec");
            String name = "Service " + s.path("metadata").path("name").asText();
            Map<String, Boolean> needs = new TreeMap<>();
            needs.put("kubernetes.podspec-nodeselector", pod.has("nodeSelector"));
            needs.put("kubernetes.podspec-tolerations", pod.has("tolerations"));
            needs.put("kubernetes.podspec-runtimeclassname", pod.has("runtimeClassName"));
            needs.put("kubernetes.podspec-affinity", pod.has("affinity"));
            needs.put("kubernetes.podspec-securitycontext", pod.has("securityContext"));
            boolean pvc = false;
            boolean pvcWrite = false;
            for (JsonNode v : pod.path("volumes")) {
                if (v.has("persistentVolumeClaim")) {
                    pvc = true;
                    boolean ro = v.path("persistentVolumeClaim").path("readOnly").asBoolean(false);
                    for (JsonNode m : container(s).path("volumeMounts")) {
                        if (m.path("name").asText().equals(v.path("name").asText())
                                && !m.path("readOnly").asBoolean(false) && !ro) {
                            pvcWrite = true;
                        }
                    }
                }
            }
            needs.put("kubernetes.podspec-persistent-volume-claim", pvc);
            needs.put("kubernetes.podspec-persistent-volume-write", pvcWrite);
            needs.forEach((flag, needed) -> {
                if (needed && !"enabled".equals(flags.path(flag).asText())) {
                    problems.add(name + " needs Knative feature " + flag + ": enabled in knative-serving/"
                            + "config-features, which the render does not set");
                }
            });
        }
    }

    private void functionShape() {
        List<ObjectNode> bindings = ofKind("sources.knative.dev/v1", "SinkBinding");
        for (String fn : FUNCTIONS) {
            ObjectNode s = service(fn);
            if (s == null) {
                problems.add("no Knative Service " + fn);
                continue;
            }
            String who = "Service " + fn;
            String ns = s.path("metadata").path("namespace").asText("");
            JsonNode tmpl = s.path("spec").path("template");
            JsonNode c = container(s);
            if (!"0".equals(tmpl.path("metadata").path("annotations").path("autoscaling.knative.dev/min-scale")
                    .asText())) {
                problems.add(who + " does not scale to zero (autoscaling.knative.dev/min-scale: \"0\")");
            }
            if (!"/q/health/live".equals(c.path("livenessProbe").path("httpGet").path("path").asText())) {
                problems.add(who + " has no liveness probe on /q/health/live");
            }
            // what Prometheus's kubernetes pod discovery reads (Knative copies revision annotations onto the pods)
            JsonNode ann = tmpl.path("metadata").path("annotations");
            String port = c.path("ports").path(0).path("containerPort").asText();
            if (!"true".equals(ann.path("prometheus.io/scrape").asText())
                    || !"/q/metrics".equals(ann.path("prometheus.io/path").asText())
                    || port.isEmpty() || !port.equals(ann.path("prometheus.io/port").asText())) {
                problems.add(who + " lacks the Prometheus scrape annotations on its revision template "
                        + "(prometheus.io/scrape \"true\", prometheus.io/path /q/metrics, prometheus.io/port = "
                        + "its containerPort " + port + ")");
            }
            String ready = c.path("readinessProbe").path("httpGet").path("path").asText();
            if (!Set.of("/q/health/ready", "/q/health/live").contains(ready)) {
                problems.add(who + " has no readiness probe on /q/health/ready");
            }
            for (String section : List.of("requests", "limits")) {
                for (String r : List.of("cpu", "memory")) {
                    if (!c.path("resources").path(section).has(r)) {
                        problems.add(who + " has no " + r + " " + section);
                    }
                }
            }
            JsonNode sc = c.path("securityContext");
            if (!sc.path("runAsNonRoot").asBoolean(false) || !sc.path("readOnlyRootFilesystem").asBoolean(false)
                    || sc.path("allowPrivilegeEscalation").asBoolean(true)) {
                problems.add(who + " is not non-root with a read-only root filesystem and no privilege escalation");
            }
            boolean tmp = false;
            for (JsonNode m : c.path("volumeMounts")) {
                if ("/tmp".equals(m.path("mountPath").asText())) {
                    for (JsonNode v : tmpl.path("spec").path("volumes")) {
                        tmp |= v.path("name").asText().equals(m.path("name").asText()) && v.has("emptyDir");
                    }
                }
            }
            if (!tmp) {
                problems.add(who + " has no emptyDir on /tmp (needed with a read-only root filesystem)");
            }
            String sa = tmpl.path("spec").path("serviceAccountName").asText("");
            if (sa.isEmpty() || !exists("v1", "ServiceAccount", ns, sa)) {
                problems.add(who + " runs as ServiceAccount '" + sa + "', which is not in the render");
            }
            boolean bound = bindings.stream().anyMatch(b -> {
                JsonNode subj = b.path("spec").path("subject");
                if (!"serving.knative.dev/v1".equals(subj.path("apiVersion").asText())
                        || !"Service".equals(subj.path("kind").asText())) {
                    return false;
                }
                if (subj.has("name")) {
                    return fn.equals(subj.path("name").asText());
                }
                JsonNode labels = s.path("metadata").path("labels");
                for (var e : subj.path("selector").path("matchLabels").properties()) {
                    if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
                        return false;
                    }
                }
                return subj.path("selector").path("matchLabels").size() > 0;
            });
            if (!bound) {
                problems.add(who + " gets no K_SINK: no SinkBinding selects it");
            }
        }
        for (ObjectNode b : bindings) {
            destination("SinkBinding " + b.path("metadata").path("name").asText() + " sink",
                    b.path("spec").path("sink"), b.path("metadata").path("namespace").asText(""));
        }
        for (ObjectNode r : ofKind("rbac.authorization.k8s.io/v1", "Role")) {
            for (JsonNode rule : r.path("rules")) {
                for (String f : List.of("verbs", "resources", "apiGroups")) {
                    for (JsonNode v : rule.path(f)) {
                        if ("*".equals(v.asText()) && !f.equals("apiGroups")) {
                            problems.add("Role " + r.path("metadata").path("name").asText() + " grants '*' " + f);
                        }
                    }
                }
            }
        }
        for (ObjectNode rb : ofKind("rbac.authorization.k8s.io/v1", "RoleBinding")) {
            String ns = rb.path("metadata").path("namespace").asText("");
            JsonNode ref = rb.path("roleRef");
            if ("Role".equals(ref.path("kind").asText())
                    && !exists("rbac.authorization.k8s.io/v1", "Role", ns, ref.path("name").asText())) {
                problems.add("RoleBinding " + rb.path("metadata").path("name").asText() + " binds missing Role "
                        + ref.path("name").asText());
            }
            for (JsonNode subj : rb.path("subjects")) {
                if ("ServiceAccount".equals(subj.path("kind").asText()) && !exists("v1", "ServiceAccount",
                        subj.path("namespace").asText(ns), subj.path("name").asText())) {
                    problems.add("RoleBinding " + rb.path("metadata").path("name").asText()
                            + " binds missing ServiceAccount " + subj.path("name").asText());
                }
            }
        }
    }
}
