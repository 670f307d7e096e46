package dev.greta.tokenizer;

import java.util.Arrays;

/** A growable int array, so token output does not box. */
final class IntList {
    private int[] values = new int[64];
    private int size;

    void add(int v) {
        if (size == values.length) values = Arrays.copyOf(values, size * 2);
        values[size++] = v;
    }

    int[] toArray() { return Arrays.copyOf(values, size); }
}
