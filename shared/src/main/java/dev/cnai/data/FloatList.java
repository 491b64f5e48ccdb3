package dev.cnai.data;

import java.util.Arrays;

/** A growable float array. */
final class FloatList {
    private float[] a;
    private int size;

    FloatList(int capacity) {
        a = new float[Math.max(16, capacity)];
    }

    void add(float v) {
        if (size == a.length) {
            a = Arrays.copyOf(a, a.length + (a.length >> 1));
        }
        a[size++] = v;
    }

    int size() {
        return size;
    }

    float[] array() {
        return a;
    }

    float[] toArray() {
        return Arrays.copyOf(a, size);
    }
}
