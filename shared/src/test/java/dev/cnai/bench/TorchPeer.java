package dev.cnai.bench;

import static org.bytedeco.pytorch.global.torch.cross_entropy;
import static org.bytedeco.pytorch.global.torch.from_blob;
import static org.bytedeco.pytorch.global.torch.get_num_threads;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.max_pool2d;
import static org.bytedeco.pytorch.global.torch.randperm;
import static org.bytedeco.pytorch.global.torch.relu;
import static org.bytedeco.pytorch.global.torch.set_num_threads;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.OptimizerParamGroup;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The libtorch peer of {@link TrainBenchmark}: the same MLP 784-256-10 and CNN conv8-conv16-10 (5×5 convolution + ReLU
 * + 2×2 max-pool blocks, then one dense layer 256→10) trained by libtorch's C++ API through the JavaCPP presets
 * ({@code torch::nn::Linear}/{@code Conv2d}, autograd, {@code torch::optim::SGD}) at batch 64 with learning rate 0.05,
 * momentum 0.9 and L2 1e-4 on the weights only (as the engine's penalty), on the rows TrainBenchmark dumped (already
 * normalised; the format of {@code --dump}), reshuffled every epoch.
 *
 * <p>Timed as the engine is: after a warm-up epoch, the fastest of 7 calls of 5 epochs for the MLP and of 5 one-epoch
 * calls for the CNN, in samples/s. libtorch's intra-op threads and OpenBLAS's threads are set to {@code --threads}.
 * Prints one line per model with the threads in use and the first and last epoch's mean training loss, then one JSON
 * object. A peer whose loss does not fall is a bug, not a figure: it exits with status 1.
 *
 * <p>usage: {@code TorchPeer FILE --threads N}; when the presets cannot load it prints
 * {@code libtorch peer skipped: <reason>} and a JSON object of nulls.
 */
public final class TorchPeer {
    private static final int BATCH = 64;
    private static final double LEARNING_RATE = 0.05;
    private static final double MOMENTUM = 0.9;
    private static final double L2 = 1e-4;
    private static final int CLASSES = 10;

    private final Tensor x;
    private final Tensor y;
    private final long rows;

    private TorchPeer(Tensor x, Tensor y) {
        this.x = x;
        this.y = y;
        this.rows = x.size(0);
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
        // the presets' version, <pytorch>-<javacpp>, from the jar's manifest
        String version = String.valueOf(torch.class.getPackage().getImplementationVersion());
        set_num_threads(threads);
        openblas_nolapack.blas_set_num_threads(threads);
        manual_seed(1);
        TorchPeer peer = read(file);
        Run mlp = peer.time(peer.new Mlp(), 5, 7);
        line("libtorch (presets %s), MLP 784-256-10: %.0f samples/s on %d intra-op thread(s), %d BLAS thread(s); loss %.4f "
                + "(first epoch) -> %.4f (last)", version, mlp.samplesPerSecond(), get_num_threads(),
                openblas_nolapack.blas_get_num_threads(), mlp.firstLoss(), mlp.lastLoss());
        Run cnn = peer.time(peer.new Cnn(), 1, 5);
        line("libtorch (presets %s), CNN conv8-conv16-10: %.0f samples/s on %d intra-op thread(s); loss %.4f (first epoch) -> "
                + "%.4f (last)", version, cnn.samplesPerSecond(), get_num_threads(), cnn.firstLoss(),
                cnn.lastLoss());
        System.out.println(String.format(Locale.ROOT, "{\"torch_version\": \"%s\", \"torch_samples_per_s\": %.1f, "
                + "\"torch_cnn_samples_per_s\": %.1f, \"torch_threads\": %d, \"torch_blas_threads\": %d, "
                + "\"torch_loss_first\": %.4f, \"torch_loss_last\": %.4f, \"torch_cnn_loss_first\": %.4f, "
                + "\"torch_cnn_loss_last\": %.4f}", version, mlp.samplesPerSecond(),
                cnn.samplesPerSecond(), get_num_threads(), openblas_nolapack.blas_get_num_threads(), mlp.firstLoss(),
                mlp.lastLoss(), cnn.firstLoss(), cnn.lastLoss()));
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

    /** The rows of a TrainBenchmark dump as resident tensors: x float32 [rows, features], y int64 [rows]. */
    private static TorchPeer read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int n = b.getInt();
        int features = b.getInt();
        float[] x = new float[n * features];
        b.asFloatBuffer().get(x);
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = b.get(8 + 4 * x.length + i);
        }
        try (FloatPointer xp = new FloatPointer(x); LongPointer yp = new LongPointer(y)) {
            // clone: the tensors own their memory, not the pointers closed here
            Tensor xt = from_blob(xp, n, features).clone();
            Tensor yt = from_blob(yp, new long[] {n}, new TensorOptions(torch.ScalarType.Long))
                    .clone();
            return new TorchPeer(xt, yt);
        }
    }

    /**
     * Samples/s of the fastest of {@code calls} calls training {@code epochs} epochs each, after a warm-up epoch;
     * the loss of the warm-up epoch and of the last one.
     */
    private Run time(Net net, int epochs, int calls) {
        SGD sgd = new SGD(net.weights(), options(L2));
        sgd.add_param_group(new OptimizerParamGroup(net.biases(), options(0)));
        double first = epoch(net, sgd);
        double last = first;
        double[] times = new double[calls];
        for (int c = 0; c < calls; c++) {
            long t0 = System.nanoTime();
            for (int e = 0; e < epochs; e++) {
                last = epoch(net, sgd);
            }
            times[c] = (System.nanoTime() - t0) / 1e9;
        }
        return new Run(epochs * rows / Arrays.stream(times).min().orElseThrow(), first, last);
    }

    private static SGDOptions options(double l2) {
        SGDOptions o = new SGDOptions(LEARNING_RATE);
        o.momentum().put(MOMENTUM);
        o.weight_decay().put(l2);
        return o;
    }

    /** One epoch in mini-batches of a fresh permutation; the mean training loss over its rows. */
    private double epoch(Net net, SGD sgd) {
        double sum = 0;
        try (PointerScope ignored = new PointerScope()) {
            Tensor perm = randperm(rows);
            for (long from = 0; from < rows; from += BATCH) {
                long size = Math.min(BATCH, rows - from);
                try (PointerScope step = new PointerScope()) {
                    Tensor idx = perm.narrow(0, from, size);
                    sgd.zero_grad();
                    Tensor loss = cross_entropy(net.forward(x.index_select(0, idx)), y.index_select(0, idx));
                    loss.backward();
                    sgd.step();
                    sum += loss.item_float() * size;
                }
            }
        }
        return sum / rows;
    }

    /** Throughput and the mean training loss of the first and the last epoch. */
    private record Run(double samplesPerSecond, double firstLoss, double lastLoss) {
        boolean learned() {
            return lastLoss < 0.9 * firstLoss;
        }
    }

    /** A model: its forward pass (logits) and its parameters, weights (L2-decayed) apart from biases. */
    private interface Net {
        Tensor forward(Tensor rows);

        TensorVector weights();

        TensorVector biases();
    }

    /** 784-256-10 with a ReLU hidden layer. */
    private final class Mlp implements Net {
        private final LinearImpl hidden = new LinearImpl(x.size(1), 256);
        private final LinearImpl out = new LinearImpl(256, CLASSES);

        @Override
        public Tensor forward(Tensor rows) {
            return out.forward(relu(hidden.forward(rows)));
        }

        @Override
        public TensorVector weights() {
            return new TensorVector(hidden.weight(), out.weight());
        }

        @Override
        public TensorVector biases() {
            return new TensorVector(hidden.bias(), out.bias());
        }
    }

    /** conv 5×5 1→8, ReLU, max-pool 2; conv 5×5 8→16, ReLU, max-pool 2; dense 16·4·4→10 (28×28 images). */
    private final class Cnn implements Net {
        private final int side = (int) Math.round(Math.sqrt(x.size(1)));
        private final Conv2dImpl conv1 = new Conv2dImpl(1, 8, new LongPointer(5, 5));
        private final Conv2dImpl conv2 = new Conv2dImpl(8, 16, new LongPointer(5, 5));
        private final int pooled = ((side - 4) / 2 - 4) / 2;
        private final LinearImpl out = new LinearImpl(16L * pooled * pooled, CLASSES);

        @Override
        public Tensor forward(Tensor rows) {
            Tensor images = rows.view(rows.size(0), 1, side, side);
            Tensor a = max_pool2d(relu(conv1.forward(images)), 2, 2);
            Tensor b = max_pool2d(relu(conv2.forward(a)), 2, 2);
            return out.forward(b.flatten(1, -1));
        }

        @Override
        public TensorVector weights() {
            return new TensorVector(conv1.weight(), conv2.weight(), out.weight());
        }

        @Override
        public TensorVector biases() {
            return new TensorVector(conv1.bias(), conv2.bias(), out.bias());
        }
    }

    private static void line(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }
}
