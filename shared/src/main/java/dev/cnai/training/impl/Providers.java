package dev.cnai.training.impl;

import static dev.cnai.training.Provider.AUTO;
import static dev.cnai.training.Provider.CPU;
import static dev.cnai.training.Provider.CUDA;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import dev.cnai.training.Provider;
import dev.cnai.training.TrainingException;
import java.util.EnumSet;
import java.util.Optional;

/** Chooses the ONNX Runtime execution provider for a configured {@link Provider}: CPU, CUDA or AUTO. */
public final class Providers {
    /**
     * Session options with the chosen provider, and why it was chosen.
     *
     * @param options  configured session options; the caller closes them
     * @param provider {@link Provider#CPU} or {@link Provider#CUDA}
     * @param reason   one human-readable sentence
     */
    public record Choice(OrtSession.SessionOptions options, Provider provider, String reason) {
    }

    /** Why the CUDA provider failed to load in this process, once it has: its libraries do not appear later. */
    private static volatile String cudaFailure;

    private Providers() {
    }

    /**
     * Builds session options for {@code requested}: {@code cpu} always works; {@code cuda} fails with
     * {@link TrainingException#providerUnavailable} when this build or machine has no CUDA provider; {@code auto}
     * takes CUDA when it can be added and otherwise the CPU, saying why.
     */
    public static Choice choose(Provider requested, int intraOpThreads) {
        Provider r = requested;
        String name = r.wireName();
        if (r == CPU) {
            return new Choice(base(intraOpThreads), CPU, "provider cpu was requested");
        }
        EnumSet<OrtProvider> available = OrtEnvironment.getAvailableProviders();
        String missing = null;
        if (!available.contains(OrtProvider.CUDA)) {
            missing = "this ONNX Runtime build offers " + available + " (build with -Pgpu for onnxruntime_gpu)";
        } else if (cudaFailure != null) {
            missing = cudaFailure;
        } else {
            OrtSession.SessionOptions o = base(intraOpThreads);
            try {
                o.addCUDA(0);
                return new Choice(o, CUDA, "provider " + name + ": the CUDA provider loaded on device 0");
            } catch (OrtException e) {
                o.close();
                missing = "the CUDA provider did not load: " + e.getMessage();
                cudaFailure = missing;
            }
        }
        if (r == CUDA) {
            throw TrainingException.providerUnavailable("provider cuda was requested but " + missing);
        }
        return new Choice(base(intraOpThreads), CPU, "provider auto fell back to cpu: " + missing);
    }

    /**
     * Why a session could not run on CUDA here, or empty when it can: a CPU-only build, or a GPU build whose CUDA
     * libraries or device are missing (the provider is listed, but does not load).
     */
    public static Optional<String> cudaUnavailable() {
        Choice c = choose(AUTO, 1);
        c.options().close();
        return c.provider() == CUDA ? Optional.empty() : Optional.of(c.reason());
    }

    private static OrtSession.SessionOptions base(int intraOpThreads) {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        try {
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            o.setIntraOpNumThreads(Math.max(1, intraOpThreads));
            o.setInterOpNumThreads(1);
            o.setDeterministicCompute(true);
            return o;
        } catch (OrtException e) {
            o.close();
            throw TrainingException.runtime("configuring a training session", e);
        }
    }
}
