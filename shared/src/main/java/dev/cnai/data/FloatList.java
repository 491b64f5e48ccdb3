package dev.cnai.data;

import java.util.Arrays;

/** A growable float array, shared by the dataset readers and the Open Inference Protocol codec. */
public final class FloatList {
    private float[] a;
    private int size;

    public FloatList(int capacity) {
        a = new float[Math.max(16, capacity)];
    }

    public void add(float v) {
        if (size == a.length) {
            a = Arrays.copyOf(a, a.length + (a.length >> 1));
        }
        a[size++] = v;
    }

    public int size() {
        return size;
    }

    float[] array() {
        return a;
    }

    /** The values added so far; the backing array itself when it is exactly full (a later add reallocates it). */
    public float[] toArray() {
        return size == a.length ? a : Arrays.copyOf(a, size);
    }
}
