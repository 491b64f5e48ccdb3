package dev.cnai.training.impl;

import ai.onnxruntime.OnnxTensor;
import dev.cnai.data.Dataset;
import dev.cnai.training.Tensor;
import dev.cnai.training.TrainingException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.List;

/**
 * The direct buffers one call uploads through (shard, one-hot labels, permutation, start weights, zero
 * optimiser state); ONNX Runtime reads them without copying. Grown on demand and kept by the engine for its next
 * call. Not thread-safe: one call uses it at a time.
 */
public final class Staging {
    private ByteBuffer x;
    private ByteBuffer y;
    private ByteBuffer perm;
    private ByteBuffer weights;
    /** Never written after allocation (zero-filled by the JVM). */
    private ByteBuffer zeros;

    /** The shard's raw values, bulk-copied into the direct buffer (the graph normalises them). */
    public FloatBuffer raw(Dataset d) {
        return raw(d.x());
    }

    /** {@code in} bulk-copied into the shard's direct buffer, which keeps its capacity. */
    public FloatBuffer raw(float[] in) {
        x = fit(x, 4L * in.length);
        return x.clear().asFloatBuffer().put(in).flip();
    }

    public FloatBuffer oneHot(Dataset d) {
        y = fit(y, 4L * d.rows() * d.classes());
        FloatBuffer b = y.clear().asFloatBuffer();
        b.put(new float[d.rows() * d.classes()]).clear();
        for (int r = 0; r < d.rows(); r++) {
            b.put(r * d.classes() + d.y()[r], 1f);
        }
        return b.limit(d.rows() * d.classes());
    }

    /** The tensors' values bulk-copied into one direct buffer; a view per tensor, in order. */
    public FloatBuffer[] weights(List<Tensor> tensors) {
        long total = 0;
        for (Tensor t : tensors) {
            total += t.size();
        }
        weights = fit(weights, 4L * total);
        FloatBuffer all = weights.clear().asFloatBuffer();
        FloatBuffer[] views = new FloatBuffer[tensors.size()];
        for (int i = 0; i < views.length; i++) {
            float[] d = tensors.get(i).data();
            views[i] = all.slice().limit(d.length);
            views[i].put(d).flip();
            all.position(all.position() + d.length);
        }
        return views;
    }

    /** A direct view of {@code n} zeros. */
    public FloatBuffer zeros(int n) {
        if (zeros == null || zeros.capacity() < 4L * n) {
            zeros = fit(null, 4L * n);
        }
        return zeros.duplicate().order(ByteOrder.nativeOrder()).clear().asFloatBuffer().limit(n);
    }

    public LongBuffer perm(int n) {
        perm = fit(perm, 8L * n);
        return perm.clear().asLongBuffer().limit(n);
    }

    /** The shape of {@code t} as ONNX Runtime takes it. */
    public static long[] shape(Tensor t) {
        long[] shape = new long[t.shape().length];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.shape()[i];
        }
        return shape;
    }

    /** The values of a float tensor ONNX Runtime returned, copied out. */
    public static float[] floats(OnnxTensor t) {
        FloatBuffer b = t.getFloatBuffer();
        float[] f = new float[b.remaining()];
        b.get(f);
        return f;
    }

    private static ByteBuffer fit(ByteBuffer b, long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw TrainingException.invalidData("a shard of " + bytes + " bytes does not fit one buffer");
        }
        if (b != null && b.capacity() >= bytes) {
            return b.limit((int) bytes);
        }
        return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
    }
}
