package dev.cnai.training;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named dense float32 tensor, row-major. Arrays are not copied: treat them as immutable once shared.
 *
 * @param name  tensor name, e.g. {@code W0} ([in, out]) or {@code b0} ([out])
 * @param shape dimensions, each ≥ 0
 * @param data  values; {@code data.length} equals the product of {@code shape}
 */
public record Tensor(String name, int[] shape, float[] data) {

    public Tensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        long size = 1;
        for (int d : shape) {
            if (d < 0) {
                throw TrainingException.incompatible("tensor " + name + " has negative dimension in "
                        + Arrays.toString(shape));
            }
            size *= d;
            if (size > Integer.MAX_VALUE) {
                throw TrainingException.incompatible("tensor " + name + " is too large: " + Arrays.toString(shape));
            }
        }
        if (size != data.length) {
            throw TrainingException.incompatible("tensor " + name + " has shape " + Arrays.toString(shape)
                    + " (" + size + " values) but " + data.length + " values");
        }
    }

    /** Number of values. */
    public int size() {
        return data.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && name.equals(t.name) && Arrays.equals(shape, t.shape)
                && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "Tensor[" + name + " " + Arrays.toString(shape) + "]";
    }
}
