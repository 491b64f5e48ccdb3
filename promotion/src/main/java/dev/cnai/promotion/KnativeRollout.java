package dev.cnai.promotion;

import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.TrafficTarget;
import io.fabric8.knative.serving.v1.TrafficTargetBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Canary promotion of a model on the infer Knative Service. {@link #promote} rolls the Service to a new revision
 * named {@code <service>-<version>} whose template pins the model ({@value #DIGEST_ENV} and {@value #VERSION_ENV}
 * on the container, {@code dev.cnai/model-*} annotations), then moves traffic from the revision that served before
 * through the configured canary percentages (e.g. 10, 50, 100) with a pause after each step, and finally sends
 * 100% to the new revision (the old one stays addressable as tag {@code previous} at 0%). {@link #rollback} sends
 * 100% back to the previous revision (or a named version's revision).
 *
 * <p>Only {@code get} and {@code patch} on {@code services.serving.knative.dev} are used (every change is a JSON
 * patch computed by the fabric8 client), which is all the RBAC register's ServiceAccount is granted. Each call is
 * idempotent: a redelivered promotion resumes from the traffic split it finds. Before each pause it waits for the
 * Service to report {@code Ready} for its latest generation when a Knative controller maintains {@code status}
 * (a Service without status, as on a mock API server, is not waited for).
 */
public final class KnativeRollout {
    /** Container env var pinning the model digest the revision must serve. */
    public static final String DIGEST_ENV = "CNAI_INFER_MODEL_DIGEST";
    /** Container env var naming the model version the revision serves. */
    public static final String VERSION_ENV = "CNAI_INFER_MODEL_VERSION";
    /** Service annotation recording the revision that served before the latest promotion. */
    public static final String PREVIOUS_ANNOTATION = "dev.cnai/previous-revision";
    static final String DIGEST_ANNOTATION = "dev.cnai/model-digest";
    static final String VERSION_ANNOTATION = "dev.cnai/model-version";

    private static final Logger LOG = Logger.getLogger(KnativeRollout.class);

    /**
     * Rollout settings.
     *
     * @param namespace    namespace of the infer Service
     * @param service      name of the infer Knative Service
     * @param steps        canary percentages for the new revision, ascending in 1..100; 100 is appended if missing
     * @param pause        how long to hold each step below 100%
     * @param readyTimeout how long to wait for the Service to become Ready after each change (zero: do not wait)
     */
    public record Settings(String namespace, String service, List<Integer> steps, Duration pause,
            Duration readyTimeout) {
        public Settings {
            if (namespace == null || namespace.isBlank() || service == null || service.isBlank()) {
                throw PromotionException.invalid("Knative rollout needs a namespace and a service name");
            }
            List<Integer> s = new ArrayList<>(steps == null ? List.of() : steps);
            for (int i = 0; i < s.size(); i++) {
                if (s.get(i) < 1 || s.get(i) > 100 || (i > 0 && s.get(i) <= s.get(i - 1))) {
                    throw PromotionException.invalid("canary steps must be ascending percentages in 1..100, got "
                            + steps);
                }
            }
            if (s.isEmpty() || s.get(s.size() - 1) != 100) {
                s.add(100);
            }
            steps = List.copyOf(s);
            pause = pause == null ? Duration.ZERO : pause;
            readyTimeout = readyTimeout == null ? Duration.ZERO : readyTimeout;
        }
    }

    /** One traffic split: revision name → percent, in the Service's order. */
    public record Split(Map<String, Long> percents) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            percents.forEach((r, p) -> sb.append(sb.length() == 0 ? "" : ", ").append(r).append(' ').append(p)
                    .append('%'));
            return sb.toString();
        }
    }

    /** Waits between canary steps; tests observe the Service here. */
    @FunctionalInterface
    public interface Pause {
        void hold(Duration duration, Split current) throws InterruptedException;

        /** Sleeps. */
        Pause SLEEP = (d, s) -> Thread.sleep(d.toMillis());
    }

    private final KnativeClient client;
    private final Settings settings;
    private final Pause pause;

    public KnativeRollout(KnativeClient client, Settings settings, Pause pause) {
        this.client = client;
        this.settings = settings;
        this.pause = pause;
    }

    public Settings settings() {
        return settings;
    }

    /** The revision that serves {@code version}. */
    public String revisionName(String version) {
        String name = (settings.service() + "-" + version).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        return name.length() > 63 ? name.substring(0, 63) : name;
    }

    /**
     * Rolls the Service to the model and moves traffic through the canary steps.
     *
     * @return the traffic splits applied, in order (the last one sends 100% to the new revision)
     */
    public List<Split> promote(String version, String modelReference, String modelDigest) {
        String target = revisionName(version);
        Service svc = get();
        Map<String, Long> now = percents(svc);
        if (now.getOrDefault(target, 0L) == 100L && target.equals(templateName(svc))) {
            return List.of(new Split(now));
        }
        String from = now.entrySet().stream().filter(e -> !e.getKey().equals(target) && e.getValue() > 0)
                .max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
        long reached = now.getOrDefault(target, 0L);
        List<Split> applied = new ArrayList<>();
        for (int step : settings.steps()) {
            if (from != null && step < 100 && step <= reached) {
                continue; // a redelivery resumes where the previous attempt stopped
            }
            int percent = from == null ? 100 : step;
            String previous = from;
            Service updated = patch("promoting " + version + " to " + percent + "%", s -> {
                pin(s, target, version, modelReference, modelDigest);
                s.getSpec().setTraffic(traffic(previous, target, percent));
                if (previous != null) {
                    s.getMetadata().getAnnotations().put(PREVIOUS_ANNOTATION, previous);
                }
            });
            Split split = new Split(percents(updated));
            applied.add(split);
            LOG.infof("%s/%s: %s", settings.namespace(), settings.service(), split);
            awaitReady();
            if (percent == 100) {
                break;
            }
            hold(split);
        }
        return applied;
    }

    /**
     * Sends 100% of the traffic back to {@code version}'s revision, or, when {@code version} is null, to the
     * revision recorded as previous by the last promotion.
     */
    public Split rollback(String version) {
        Service svc = get();
        String target = version != null ? revisionName(version)
                : svc.getMetadata().getAnnotations() == null ? null
                        : svc.getMetadata().getAnnotations().get(PREVIOUS_ANNOTATION);
        if (target == null) {
            throw PromotionException.notFound("Knative Service " + settings.namespace() + "/" + settings.service()
                    + " records no previous revision (annotation " + PREVIOUS_ANNOTATION + "); name a version");
        }
        Map<String, Long> now = percents(svc);
        String current = now.entrySet().stream().filter(e -> !e.getKey().equals(target) && e.getValue() > 0)
                .max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
        Service updated = patch("rolling back to " + target, s -> {
            s.getSpec().setTraffic(traffic(current, target, 100));
            if (current != null) {
                s.getMetadata().getAnnotations().put(PREVIOUS_ANNOTATION, current);
            }
        });
        awaitReady();
        Split split = new Split(percents(updated));
        LOG.infof("%s/%s rolled back: %s", settings.namespace(), settings.service(), split);
        return split;
    }

    /** The current traffic split of the Service. */
    public Split current() {
        return new Split(percents(get()));
    }

    private static void pin(Service s, String revision, String version, String reference, String digest) {
        ObjectMeta meta = s.getSpec().getTemplate().getMetadata();
        if (meta == null) {
            meta = new ObjectMeta();
            s.getSpec().getTemplate().setMetadata(meta);
        }
        meta.setName(revision);
        Map<String, String> annotations = meta.getAnnotations() == null ? new LinkedHashMap<>()
                : new LinkedHashMap<>(meta.getAnnotations());
        annotations.put(DIGEST_ANNOTATION, digest);
        annotations.put(VERSION_ANNOTATION, version);
        meta.setAnnotations(annotations);
        List<Container> containers = s.getSpec().getTemplate().getSpec().getContainers();
        if (containers == null || containers.isEmpty()) {
            throw PromotionException.invalid("Knative Service template has no container to pin the model on");
        }
        Container c = containers.get(0);
        List<EnvVar> env = new ArrayList<>(c.getEnv() == null ? List.of() : c.getEnv());
        env.removeIf(e -> e.getName().equals(DIGEST_ENV) || e.getName().equals(VERSION_ENV)
                || e.getName().equals("CNAI_INFER_MODEL_REFERENCE"));
        env.add(new EnvVar(DIGEST_ENV, digest, null));
        env.add(new EnvVar(VERSION_ENV, version, null));
        env.add(new EnvVar("CNAI_INFER_MODEL_REFERENCE", reference, null));
        c.setEnv(env);
    }

    private static List<TrafficTarget> traffic(String from, String to, int percent) {
        List<TrafficTarget> t = new ArrayList<>();
        if (from == null) {
            t.add(new TrafficTargetBuilder().withRevisionName(to).withPercent(100L).withLatestRevision(false).build());
            return t;
        }
        if (percent < 100) {
            t.add(new TrafficTargetBuilder().withRevisionName(from).withPercent(100L - percent)
                    .withLatestRevision(false).withTag("stable").build());
            t.add(new TrafficTargetBuilder().withRevisionName(to).withPercent((long) percent)
                    .withLatestRevision(false).withTag("candidate").build());
        } else {
            t.add(new TrafficTargetBuilder().withRevisionName(to).withPercent(100L).withLatestRevision(false).build());
            t.add(new TrafficTargetBuilder().withRevisionName(from).withPercent(0L).withLatestRevision(false)
                    .withTag("previous").build());
        }
        return t;
    }

    private static Map<String, Long> percents(Service s) {
        Map<String, Long> out = new LinkedHashMap<>();
        List<TrafficTarget> traffic = s.getSpec() == null ? null : s.getSpec().getTraffic();
        if (traffic != null) {
            for (TrafficTarget t : traffic) {
                String name = t.getRevisionName() != null ? t.getRevisionName()
                        : Boolean.TRUE.equals(t.getLatestRevision()) ? templateName(s) : null;
                if (name != null) {
                    out.merge(name, t.getPercent() == null ? 0L : t.getPercent(), Long::sum);
                }
            }
        }
        return out;
    }

    private static String templateName(Service s) {
        return s.getSpec() == null || s.getSpec().getTemplate() == null
                || s.getSpec().getTemplate().getMetadata() == null ? null
                        : s.getSpec().getTemplate().getMetadata().getName();
    }

    private Resource<Service> resource() {
        return client.services().inNamespace(settings.namespace()).withName(settings.service());
    }

    private Service get() {
        Service svc;
        try {
            svc = resource().get();
        } catch (KubernetesClientException e) {
            throw PromotionException.unavailable("reading Knative Service " + settings.namespace() + "/"
                    + settings.service(), e);
        }
        if (svc == null) {
            throw PromotionException.notFound("Knative Service " + settings.namespace() + "/" + settings.service()
                    + " not found");
        }
        return svc;
    }

    private Service patch(String what, Consumer<Service> change) {
        try {
            return resource().edit(s -> {
                if (s.getMetadata().getAnnotations() == null) {
                    s.getMetadata().setAnnotations(new LinkedHashMap<>());
                }
                change.accept(s);
                return s;
            });
        } catch (KubernetesClientException e) {
            throw PromotionException.unavailable(what + " on Knative Service " + settings.namespace() + "/"
                    + settings.service(), e);
        }
    }

    private void hold(Split split) {
        try {
            pause.hold(settings.pause(), split);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PromotionException.unavailable("interrupted during a canary pause", e);
        }
    }

    private void awaitReady() {
        if (settings.readyTimeout().isZero()) {
            return;
        }
        long deadline = System.nanoTime() + settings.readyTimeout().toNanos();
        while (true) {
            Service s = get();
            if (s.getStatus() == null) {
                return; // no controller maintains status (e.g. a mock API server)
            }
            boolean current = s.getStatus().getObservedGeneration() != null && s.getMetadata().getGeneration() != null
                    && s.getStatus().getObservedGeneration() >= s.getMetadata().getGeneration();
            boolean ready = s.getStatus().getConditions() != null && s.getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
            if (current && ready) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw PromotionException.unavailable("Knative Service " + settings.namespace() + "/"
                        + settings.service() + " did not become Ready within " + settings.readyTimeout(), null);
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw PromotionException.unavailable("interrupted waiting for Ready", e);
            }
        }
    }
}
