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
import org.bytedeco.javacpp.FloatPointer;
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
 * Training in libtorch through the JavaCPP presets, for {@link TorchPeer}: the rows of a TrainBenchmark dump as
 * resident tensors, the MLP 784-256-10 and the CNN conv8-conv16-10 as {@code torch::nn} modules, trained with
 * autograd and {@code torch::optim::SGD} (batch 64, learning rate 0.05, momentum 0.9, L2 1e-4 on the weights only, as
 * the engine's penalty) in mini-batches of a fresh permutation every epoch, and timed as TrainBenchmark times the
 * engine. Only usable once the presets have loaded ({@link TorchPeer#unavailable()}).
 */
final class TorchTraining {
    private static final int BATCH = 64;
    private static final double LEARNING_RATE = 0.05;
    private static final double MOMENTUM = 0.9;
    private static final double L2 = 1e-4;
    private static final int CLASSES = 10;

    private final Tensor x;
    private final Tensor y;
    private final long rows;

    private TorchTraining(Tensor x, Tensor y) {
        this.x = x;
        this.y = y;
        this.rows = x.size(0);
    }

    /** Throughput and the mean training loss of the first and the last epoch. */
    record Run(double samplesPerSecond, double firstLoss, double lastLoss) {
        /** Whether the loss clearly fell: a peer that does not learn measures nothing. */
        boolean learned() {
            return lastLoss < 0.9 * firstLoss;
        }
    }

    /** Sets libtorch's intra-op threads and OpenBLAS's threads (libtorch's GEMMs run in it) and seeds libtorch. */
    static void configure(int threads, long seed) {
        set_num_threads(threads);
        openblas_nolapack.blas_set_num_threads(threads);
        manual_seed(seed);
    }

    /** libtorch's intra-op threads in use. */
    static int threads() {
        return get_num_threads();
    }

    /** OpenBLAS's threads in use. */
    static int blasThreads() {
        return openblas_nolapack.blas_get_num_threads();
    }

    /** The presets' version, {@code <pytorch>-<javacpp>}, from the jar's manifest. */
    static String version() {
        return String.valueOf(torch.class.getPackage().getImplementationVersion());
    }

    /**
     * The rows of a TrainBenchmark dump (int32 rows, int32 features, float32 x already normalised, uint8 y;
     * little-endian): x float32 [rows, features], y int64 [rows].
     */
    static TorchTraining read(Path file) throws IOException {
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
            return new TorchTraining(from_blob(xp, n, features).clone(),
                    from_blob(yp, new long[] {n}, new TensorOptions(torch.ScalarType.Long)).clone());
        }
    }

    /** The MLP: the fastest of 7 calls of 5 epochs, as the engine's MLP figure. */
    Run mlp() {
        return time(new Mlp(), 5, 7);
    }

    /** The CNN: the fastest of 5 one-epoch calls, as the engine's CNN figure. */
    Run cnn() {
        return time(new Cnn(), 1, 5);
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
                try (PointerScope step = new PointerScope()) { // frees this step's tensors now, not at GC
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

    /** A model: its forward pass (logits) and its parameters, weights (L2-decayed) apart from biases. */
    private interface Net {
        Tensor forward(Tensor batch);

        TensorVector weights();

        TensorVector biases();
    }

    /** 784-256-10 with a ReLU hidden layer. */
    private final class Mlp implements Net {
        private final LinearImpl hidden = new LinearImpl(x.size(1), 256);
        private final LinearImpl out = new LinearImpl(256, CLASSES);

        @Override
        public Tensor forward(Tensor batch) {
            return out.forward(relu(hidden.forward(batch)));
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
        private final int pooled = ((side - 4) / 2 - 4) / 2;
        private final Conv2dImpl conv1 = new Conv2dImpl(1, 8, new LongPointer(5, 5));
        private final Conv2dImpl conv2 = new Conv2dImpl(8, 16, new LongPointer(5, 5));
        private final LinearImpl out = new LinearImpl(16L * pooled * pooled, CLASSES);

        @Override
        public Tensor forward(Tensor batch) {
            Tensor images = batch.view(batch.size(0), 1, side, side);
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
}
