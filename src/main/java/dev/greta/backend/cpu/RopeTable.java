package dev.greta.backend.cpu;

import dev.greta.backend.Rope;

/** cos/sin of pos * freq[i] for positions [0, capacity), grown on demand so no trig runs in the hot loop. */
final class RopeTable {
    private final Rope rope;
    private float[] cos = new float[0];
    private float[] sin = new float[0];
    private int capacity;

    RopeTable(Rope rope) { this.rope = rope; }

    Rope rope() { return rope; }

    int pairs() { return rope.ropeDims() / 2; }

    float[] cos() { return cos; }

    float[] sin() { return sin; }

    synchronized void ensure(int positions) {
        if (positions <= capacity) return;
        int newCapacity = Math.max(positions, Math.min(Integer.MAX_VALUE / 2, capacity * 2));
        int pairs = pairs();
        float[] c = java.util.Arrays.copyOf(cos, Math.multiplyExact(newCapacity, pairs));
        float[] s = java.util.Arrays.copyOf(sin, c.length);
        float[] inv = rope.inverseFrequencies();
        for (int pos = capacity; pos < newCapacity; pos++) {
            for (int i = 0; i < pairs; i++) {
                double theta = pos * (double) inv[i];
                c[pos * pairs + i] = (float) Math.cos(theta);
                s[pos * pairs + i] = (float) Math.sin(theta);
            }
        }
        cos = c;
        sin = s;
        capacity = newCapacity;
    }
}
