package dev.cnai.functions.register;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Quality gate and promotion settings of register. */
@ConfigMapping(prefix = "cnai.register")
public interface RegisterConfig {
    /** Lowest test accuracy accepted when the run request sets none. */
    @WithDefault("0.85")
    double minAccuracy();

    /** How much worse than the production model (test accuracy, same test split) a candidate may be and pass. */
    @WithDefault("0.02")
    double championMargin();

    /** Canary promotion of the infer Knative Service. */
    Knative knative();

    interface Knative {
        /**
         * Roll infer out on Knative after a model is accepted. Unset: on when register itself runs as a Knative
         * Service ({@code K_SERVICE} set by Knative Serving), off otherwise (local mode: infer follows
         * {@code model.promoted}).
         */
        Optional<Boolean> enabled();

        /** Namespace of the infer Service; default: the namespace of the kube config / pod. */
        Optional<String> namespace();

        /** Name of the infer Knative Service. */
        @WithDefault("infer")
        String service();

        /** Canary percentages for the new revision, ascending; 100 is appended when missing. */
        @WithDefault("10,50,100")
        List<Integer> steps();

        /** How long each canary step below 100% soaks before the next. */
        @WithDefault("30s")
        Duration pause();

        /** How long to wait for the Service to be Ready after each traffic change (0s: do not wait). */
        @WithDefault("5m")
        Duration readyTimeout();
    }
}
