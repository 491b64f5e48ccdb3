package dev.cnai.data;

/**
 * Row indices of the train, validation and test splits of one dataset, each sorted ascending.
 */
public record Split(int[] train, int[] validation, int[] test) {
}
