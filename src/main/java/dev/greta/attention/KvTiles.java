package dev.greta.attention;

import dev.greta.backend.KvType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One worker's window onto a K/V tile: an F32 cache is read in place; an F16 tile is widened into this worker's
 * scratch first. After a load, {@link #keys}/{@link #keysOffset} address the tile's key blocks ([headDim][KEY_BLOCK]
 * each, consecutive) and {@link #values}/{@link #valuesOffset} its value rows ([count][headDim]).
 */
final class KvTiles {

    /** Halves widened per step: 4096 shorts + 4096 floats stay in L1. */
    private static final int CHUNK = 4096;

    private final int maxPositions;
    private final int headDim;
    private short[] halves;
    private float[] floats;
    private MemorySegment keyScratch;
    private MemorySegment valueScratch;

    MemorySegment keys;
    long keysOffset;
    MemorySegment values;
    long valuesOffset;

    /** A window for tiles of up to {@code maxPositions} positions (a multiple of KEY_BLOCK). */
    KvTiles(int maxPositions, int headDim) {
        this.maxPositions = maxPositions;
        this.headDim = headDim;
    }

    /** Loads keys of positions [fromPos, fromPos + count); fromPos is a multiple of KEY_BLOCK. */
    void loadKeys(CpuKvCache cache, int layer, int kvHead, int fromPos, int count) {
        long offset = cache.keyOffset(layer, kvHead, fromPos);
        if (cache.type() == KvType.F32) {
            keys = cache.keys();
            keysOffset = offset;
            return;
        }
        int blocks = (count + CpuKvCache.KEY_BLOCK - 1) / CpuKvCache.KEY_BLOCK;
        ensureScratch();
        widen(cache.keys(), offset, blocks * CpuKvCache.KEY_BLOCK * headDim, keyScratch);
        keys = keyScratch;
        keysOffset = 0;
    }

    /** Loads values of positions [fromPos, fromPos + count). */
    void loadValues(CpuKvCache cache, int layer, int kvHead, int fromPos, int count) {
        long offset = cache.valueOffset(layer, kvHead, fromPos);
        if (cache.type() == KvType.F32) {
            values = cache.values();
            valuesOffset = offset;
            return;
        }
        ensureScratch();
        widen(cache.values(), offset, count * headDim, valueScratch);
        values = valueScratch;
        valuesOffset = 0;
    }

    private void ensureScratch() {
        if (keyScratch != null) return;
        long bytes = (long) maxPositions * headDim * Float.BYTES;
        Arena arena = Arena.ofAuto();
        keyScratch = arena.allocate(bytes, 64);
        valueScratch = arena.allocate(bytes, 64);
        halves = new short[CHUNK];
        floats = new float[CHUNK];
    }

    /**
     * Half floats to floats through heap arrays: C2 vectorises the array loop ({@link #toFloats}) into F16C
     * conversions, which with both copies is ~2.3x faster than converting element by element in the segment or
     * by Vector API bit operations (0.20 vs 0.46 ns per element, HalfWidenBenchmark; the JDK 25 Vector API has no
     * half-float conversion).
     */
    private void widen(MemorySegment src, long srcOffset, int count, MemorySegment dst) {
        for (int done = 0; done < count; done += CHUNK) {
            int n = Math.min(CHUNK, count - done);
            MemorySegment.copy(src, ValueLayout.JAVA_SHORT, srcOffset + (long) done * Short.BYTES, halves, 0, n);
            toFloats(halves, floats, n);
            MemorySegment.copy(floats, 0, dst, ValueLayout.JAVA_FLOAT, (long) done * Float.BYTES, n);
        }
    }

    private static void toFloats(short[] halves, float[] floats, int n) {
        for (int i = 0; i < n; i++) floats[i] = Float.float16ToFloat(halves[i]);
    }
}
