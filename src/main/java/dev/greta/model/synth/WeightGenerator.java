package dev.greta.model.synth;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Deterministic random weights: every row of every tensor has its own generator seeded from (seed, tensor name,
 * row), so a row's values do not depend on how generation is split across threads or chunks. Values follow an
 * Irwin-Hall(4) distribution (the sum of four uniforms, rescaled): mean 0, the requested standard deviation, a
 * bell shape like N(0, std) but bounded at ±3.46 std, computed with integer and float arithmetic only so the
 * bits are the same on every JVM.
 */
final class WeightGenerator {
    /** Standard deviation of the sum of four uniform 16-bit integers. */
    private static final double SUM_STD = 65536.0 * Math.sqrt(1.0 / 3.0);
    private static final int SUM_MEAN = 2 * 65535;

    private final long seed;

    WeightGenerator(long seed) { this.seed = seed; }

    /** A key for a tensor name (64-bit FNV-1a of its UTF-8 bytes). */
    static long tensorKey(String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** Fills dst[offset .. offset + cols) with row {@code row} of the tensor with key {@code tensorKey}. */
    void fillRow(long tensorKey, long row, float std, float[] dst, int offset, int cols) {
        SplittableRandom random = new SplittableRandom(mix(mix(seed ^ tensorKey) + row));
        float scale = (float) (std / SUM_STD);
        for (int i = 0; i < cols; i++) {
            long r = random.nextLong();
            int sum = (int) (r & 0xFFFF) + (int) ((r >>> 16) & 0xFFFF) + (int) ((r >>> 32) & 0xFFFF) + (int) (r >>> 48);
            dst[offset + i] = (sum - SUM_MEAN) * scale;
        }
    }

    /** Stafford's variant 13 of the MurmurHash3 finaliser: spreads nearby inputs over all 64 bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
