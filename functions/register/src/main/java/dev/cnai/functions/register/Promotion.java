package dev.cnai.functions.register;

import dev.cnai.pipeline.RegisterStep;
import dev.cnai.promotion.KnativeRollout;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.jboss.logging.Logger;

/** Produces register's rollout: a Knative canary rollout on a cluster, none in local mode. */
@ApplicationScoped
public class Promotion {
    private static final Logger LOG = Logger.getLogger(Promotion.class);
    private KubernetesClient kubernetes;

    @Produces
    @ApplicationScoped
    RegisterStep.Rollout rollout(RegisterConfig config) {
        RegisterConfig.Knative k = config.knative();
        boolean enabled = k.enabled().orElseGet(() -> System.getenv("K_SERVICE") != null);
        if (!enabled) {
            LOG.info("local mode: infer follows model.promoted (no Knative rollout)");
            return RegisterStep.Rollout.NONE;
        }
        kubernetes = new KubernetesClientBuilder().build();
        String namespace = k.namespace().orElseGet(() -> kubernetes.getNamespace() == null ? "default"
                : kubernetes.getNamespace());
        KnativeRollout rollout = new KnativeRollout(kubernetes.adapt(KnativeClient.class),
                new KnativeRollout.Settings(namespace, k.service(), k.steps(), k.pause(), k.readyTimeout()),
                KnativeRollout.Pause.SLEEP);
        LOG.infof("Knative mode: promotions roll %s/%s through %s%% (pause %s)", namespace, k.service(), k.steps(),
                k.pause());
        return reg -> rollout.promote(reg.version(), reg.reference(), reg.modelDigest());
    }

    @PreDestroy
    void close() {
        if (kubernetes != null) {
            kubernetes.close();
        }
    }
}
