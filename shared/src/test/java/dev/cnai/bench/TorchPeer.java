package dev.cnai.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.bytedeco.pytorch.global.torch;

/**
 * The libtorch peer of {@link TrainBenchmark} in scripts/bench-train.sh: the same MLP 784-256-10 and CNN
 * conv8-conv16-10 on the same rows, trained by libtorch's C++ API through the JavaCPP presets
 * ({@link TorchTraining}), with libtorch's intra-op threads and OpenBLAS's threads set to {@code --threads}. Prints one
 * line per model (samples/s, threads in use, first and last epoch's mean training loss), then one JSON object.
 *
 * <p>usage: {@code TorchPeer FILE [--threads N]}, FILE written by {@code TrainBenchmark --dump}. When the presets
 * cannot load it prints {@code libtorch peer skipped: <reason>} and a JSON object of nulls (status 0); when the loss of
 * either model does not clearly fall it exits with status 1: a peer that does not learn is a bug, not a figure. Only
 * this class is touched before the check, so that it also runs, and says why, without the presets on the class path.
 */
public final class TorchPeer {
    private TorchPeer() {
    }

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        int threads = args.length > 2 && args[1].equals("--threads") ? Integer.parseInt(args[2])
                : Runtime.getRuntime().availableProcessors();
        String reason = unavailable();
        if (reason != null) {
            System.out.println("libtorch peer skipped: " + reason);
            System.out.println("{\"torch_samples_per_s\": null, \"torch_cnn_samples_per_s\": null, "
                    + "\"torch_threads\": null}");
            return;
        }
        TorchTraining.configure(threads, 1);
        TorchTraining training = TorchTraining.read(file);
        TorchTraining.Run mlp = training.mlp();
        line("libtorch (presets %s), MLP 784-256-10: %.0f samples/s on %d intra-op thread(s), %d OpenBLAS "
                + "thread(s); loss %.4f (first epoch) -> %.4f (last)", TorchTraining.version(), mlp.samplesPerSecond(),
                TorchTraining.threads(), TorchTraining.blasThreads(), mlp.firstLoss(), mlp.lastLoss());
        TorchTraining.Run cnn = training.cnn();
        line("libtorch (presets %s), CNN conv8-conv16-10: %.0f samples/s on %d intra-op thread(s); loss %.4f (first "
                + "epoch) -> %.4f (last)", TorchTraining.version(), cnn.samplesPerSecond(), TorchTraining.threads(),
                cnn.firstLoss(), cnn.lastLoss());
        line("{\"torch_version\": \"%s\", \"torch_samples_per_s\": %.1f, \"torch_cnn_samples_per_s\": %.1f, "
                + "\"torch_threads\": %d, \"torch_blas_threads\": %d, \"torch_loss_first\": %.4f, "
                + "\"torch_loss_last\": %.4f, \"torch_cnn_loss_first\": %.4f, \"torch_cnn_loss_last\": %.4f}",
                TorchTraining.version(), mlp.samplesPerSecond(), cnn.samplesPerSecond(), TorchTraining.threads(),
                TorchTraining.blasThreads(), mlp.firstLoss(), mlp.lastLoss(), cnn.firstLoss(), cnn.lastLoss());
        if (!(mlp.learned() && cnn.learned())) {
            System.err.println("libtorch peer did not learn: its training loss did not fall");
            System.exit(1);
        }
    }

    /**
     * Why the presets cannot load here (the classes, the native libraries), or null when they can. OpenBLAS's JNI
     * library is loaded too: libtorch's GEMMs run in the same libopenblas, whose threads only it can set.
     */
    static String unavailable() {
        try {
            Loader.load(torch.class);
            Loader.load(openblas_nolapack.class);
            return null;
        } catch (Throwable e) { // NoClassDefFoundError, UnsatisfiedLinkError, ...: any of them means no peer
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    private static void line(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }
}
