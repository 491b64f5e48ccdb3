package dev.cnai.promotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cnai.errors.ErrorKind;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Canary promotion and rollback against the fabric8 Kubernetes mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class KnativeRolloutTest {
    static final String NS = "cnai";
    static final String DIGEST_V2 = "sha256:" + "2".repeat(64);

    KubernetesClient kubernetes;
    KnativeClient knative;
    final List<Map<String, Long>> observedAtPauses = new ArrayList<>();
    final List<Duration> pauses = new ArrayList<>();

    @BeforeEach
    void deployInferServingV1() {
        knative = kubernetes.adapt(KnativeClient.class);
        Service infer = new ServiceBuilder().withNewMetadata().withName("infer").withNamespace(NS).endMetadata()
                .withNewSpec()
                .withNewTemplate().withNewMetadata().withName("infer-v1").endMetadata()
                .withNewSpec().addNewContainer().withName("infer").withImage("cnai/infer:0.1.0")
                .addNewEnv().withName("CNAI_INFER_MODEL_DIGEST").withValue("sha256:" + "1".repeat(64)).endEnv()
                .endContainer().endSpec().endTemplate()
                .addNewTraffic().withRevisionName("infer-v1").withPercent(100L).endTraffic()
                .endSpec().build();
        knative.services().inNamespace(NS).resource(infer).create();
    }

    KnativeRollout rollout(List<Integer> steps) {
        return new KnativeRollout(knative, new KnativeRollout.Settings(NS, "infer", steps, Duration.ofSeconds(30),
                Duration.ofSeconds(5)), (d, split) -> {
                    pauses.add(d);
                    observedAtPauses.add(traffic()); // what the API server holds while the canary soaks
                });
    }

    Map<String, Long> traffic() {
        return knative.services().inNamespace(NS).withName("infer").get().getSpec().getTraffic().stream()
                .collect(Collectors.toMap(t -> t.getRevisionName(), t -> t.getPercent(), (a, b) -> a,
                        LinkedHashMap::new));
    }

    @Test
    void promotionMovesTrafficThroughTheCanaryStepsAndRollbackRestoresIt() {
        KnativeRollout r = rollout(List.of(10, 50, 100));
        List<KnativeRollout.Split> applied = r.promote("v2", "oci://registry.example/models/mnist-mlp:v2", DIGEST_V2);

        assertEquals(List.of(Map.of("infer-v1", 90L, "infer-v2", 10L), Map.of("infer-v1", 50L, "infer-v2", 50L),
                Map.of("infer-v2", 100L, "infer-v1", 0L)),
                applied.stream().map(KnativeRollout.Split::percents).toList());
        assertEquals(List.of(Map.of("infer-v1", 90L, "infer-v2", 10L), Map.of("infer-v1", 50L, "infer-v2", 50L)),
                observedAtPauses);
        assertEquals(List.of(Duration.ofSeconds(30), Duration.ofSeconds(30)), pauses);

        Service svc = knative.services().inNamespace(NS).withName("infer").get();
        assertEquals("infer-v2", svc.getSpec().getTemplate().getMetadata().getName());
        List<EnvVar> env = svc.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
        assertEquals(DIGEST_V2, env.stream().filter(e -> e.getName().equals(KnativeRollout.DIGEST_ENV)).findFirst()
                .orElseThrow().getValue());
        assertEquals(1, env.stream().filter(e -> e.getName().equals(KnativeRollout.DIGEST_ENV)).count());
        assertEquals(DIGEST_V2, svc.getSpec().getTemplate().getMetadata().getAnnotations()
                .get("dev.cnai/model-digest"));
        assertEquals("infer-v1", svc.getMetadata().getAnnotations().get(KnativeRollout.PREVIOUS_ANNOTATION));
        assertEquals(Map.of("infer-v2", 100L, "infer-v1", 0L), traffic());

        // a redelivered promotion finds the rollout done and changes nothing
        assertEquals(List.of(Map.of("infer-v2", 100L, "infer-v1", 0L)),
                r.promote("v2", "ref", DIGEST_V2).stream().map(KnativeRollout.Split::percents).toList());
        assertEquals(2, pauses.size());

        KnativeRollout.Split back = r.rollback(null);
        assertEquals(Map.of("infer-v1", 100L, "infer-v2", 0L), back.percents());
        assertEquals(Map.of("infer-v1", 100L, "infer-v2", 0L), traffic());
        assertEquals("infer-v2", knative.services().inNamespace(NS).withName("infer").get().getMetadata()
                .getAnnotations().get(KnativeRollout.PREVIOUS_ANNOTATION));

        // and forward again to a named version
        assertEquals(Map.of("infer-v2", 100L, "infer-v1", 0L), r.rollback("v2").percents());
    }

    @Test
    void aRedeliveryResumesAnInterruptedRollout() {
        KnativeRollout interrupted = new KnativeRollout(knative, new KnativeRollout.Settings(NS, "infer",
                List.of(10, 50), Duration.ZERO, Duration.ZERO), (d, split) -> {
                    throw new InterruptedException("pod stopped");
                });
        PromotionException e = assertThrows(PromotionException.class,
                () -> interrupted.promote("v2", "ref", DIGEST_V2));
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        Thread.interrupted();
        assertEquals(Map.of("infer-v1", 90L, "infer-v2", 10L), traffic());

        List<KnativeRollout.Split> resumed = rollout(List.of(10, 50)).promote("v2", "ref", DIGEST_V2);
        assertEquals(List.of(Map.of("infer-v1", 50L, "infer-v2", 50L), Map.of("infer-v2", 100L, "infer-v1", 0L)),
                resumed.stream().map(KnativeRollout.Split::percents).toList());
    }

    @Test
    void badSettingsAndAMissingServiceAreClearErrors() {
        assertEquals(ErrorKind.INVALID_INPUT, assertThrows(PromotionException.class,
                () -> new KnativeRollout.Settings(NS, "infer", List.of(50, 10), null, null)).kind());
        assertEquals(List.of(10, 100), new KnativeRollout.Settings(NS, "infer", List.of(10), null, null).steps());
        KnativeRollout missing = new KnativeRollout(knative, new KnativeRollout.Settings(NS, "nope", List.of(10),
                Duration.ZERO, Duration.ZERO), KnativeRollout.Pause.SLEEP);
        assertEquals(ErrorKind.NOT_FOUND, assertThrows(PromotionException.class,
                () -> missing.promote("v2", "ref", DIGEST_V2)).kind());
    }
}
