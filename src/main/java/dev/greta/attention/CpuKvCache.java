package dev.greta.attention;

import dev.greta.backend.KvCache;
import dev.greta.backend.KvType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Keys and values of every layer in host memory, laid out for the attention kernels.
 *
 * <p><b>Memory.</b> Two off-heap segments (keys, values) from one shared {@link Arena}, released by {@link #close()}.
 * Off-heap because a long context of a 7B model needs many GiB (Llama-2-7B at 32k positions: 32 GiB in F32, 16 GiB in F16):
 * a Java heap would have to be sized for it up front with -Xmx and per-array indices stop at 2^31, while native
 * segments are limited only by RAM, use long offsets, and are freed deterministically. Loads through
 * {@code FloatVector.fromMemorySegment} run as fast as from arrays (measured, see docs/PERFORMANCE-attention.md).
 *
 * <p><b>Layout.</b> Per layer, per KV head, positions padded up to a multiple of {@link #KEY_BLOCK}:
 * <ul>
 *   <li>keys in blocks of {@code KEY_BLOCK} positions, each block stored transposed as [headDim][KEY_BLOCK]:
 *       the scores of one query against a block are then {@code sum_d q[d] * block[d][:]}, broadcast-multiply-adds
 *       over whole vectors with no horizontal sums and no transposition at attention time;</li>
 *   <li>values row-major [position][headDim], so a run of positions is one contiguous [count][headDim] matrix.</li>
 * </ul>
 * So the K or V tile of one KV head is one contiguous span, read straight from the cache when it is F32.
 * F16 stores IEEE half floats (range +-65504, relative rounding 2^-11), converted with
 * {@link Float#floatToFloat16}/{@link Float#float16ToFloat}; the kernels widen a tile at a time.
 *
 * <p>{@link #store} and {@link #length} are for the one thread that drives the forward pass; the kernels' workers
 * only read.
 */
public final class CpuKvCache implements KvCache {

    /** Positions per transposed key block; flash key tiles are multiples of it. */
    public static final int KEY_BLOCK = 32;

    private final int layers;
    private final int kvHeads;
    private final int headDim;
    private final int maxSeq;
    private final int paddedSeq;
    private final KvType type;
    private final Arena arena;
    private final MemorySegment keys;
    private final MemorySegment values;
    private final int[] lengths;

    public CpuKvCache(int layers, int kvHeads, int headDim, int maxSeq, KvType type) {
        long bytes = bytesNeeded(layers, kvHeads, headDim, maxSeq, type);
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.maxSeq = maxSeq;
        this.paddedSeq = paddedSeq(maxSeq);
        this.type = type;
        this.arena = Arena.ofShared();
        this.keys = arena.allocate(bytes / 2, 64);
        this.values = arena.allocate(bytes / 2, 64);
        this.lengths = new int[layers];
    }

    /** Bytes a cache of this shape allocates (keys and values of every layer), without allocating. */
    public static long bytesNeeded(int layers, int kvHeads, int headDim, int maxSeq, KvType type) {
        requirePositive("layers", layers);
        requirePositive("kvHeads", kvHeads);
        requirePositive("headDim", headDim);
        requirePositive("maxSeq", maxSeq);
        if (type == null) throw new IllegalArgumentException("KV cache type is required (f32 or f16)");
        try {
            long perHead = Math.multiplyExact((long) paddedSeq(maxSeq), (long) headDim * type.bytesPerElement());
            return Math.multiplyExact(perHead, 2L * layers * kvHeads);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("a KV cache of " + layers + " layers x " + kvHeads + " heads x "
                    + maxSeq + " positions x " + headDim + " dims does not fit in 2^63 bytes");
        }
    }

    /**
     * Writes keys and values for positions [startPos, startPos + rows) of {@code layer}; k and v are
     * [rows][kvHeads * headDim] row-major. Afterwards the layer holds positions [0, startPos + rows): storing
     * at an earlier position rewinds it, and a gap after the stored positions is refused.
     */
    public void store(int layer, float[] k, float[] v, int rows, int startPos) {
        checkLayer(layer);
        if (rows < 0) throw new IllegalArgumentException("rows must be >= 0, got " + rows);
        if (startPos < 0 || startPos > lengths[layer]) {
            throw new IllegalArgumentException("startPos " + startPos + " must be in [0, " + lengths[layer]
                    + "]: layer " + layer + " holds " + lengths[layer] + " positions");
        }
        if ((long) startPos + rows > maxSeq) {
            throw new IllegalArgumentException("positions up to " + ((long) startPos + rows)
                    + " exceed the cache's maxSeq " + maxSeq);
        }
        int kvDim = kvHeads * headDim;
        requireLength("k", k, rows, kvDim);
        requireLength("v", v, rows, kvDim);
        for (int r = 0; r < rows; r++) {
            int pos = startPos + r;
            for (int h = 0; h < kvHeads; h++) {
                int src = r * kvDim + h * headDim;
                long keyAt = keyOffset(layer, h, pos);
                long valueAt = valueOffset(layer, h, pos);
                for (int d = 0; d < headDim; d++) {
                    put(keys, keyAt + (long) d * KEY_BLOCK * type.bytesPerElement(), k[src + d]);
                    put(values, valueAt + (long) d * type.bytesPerElement(), v[src + d]);
                }
            }
        }
        lengths[layer] = startPos + rows;
    }

    /** Positions [0, length) of {@code layer} hold keys and values. */
    public int length(int layer) {
        checkLayer(layer);
        return lengths[layer];
    }

    /** Element d of the key at {@code pos} (a slow accessor for tests and debugging). */
    public float key(int layer, int kvHead, int pos, int d) {
        checkElement(layer, kvHead, pos, d);
        return get(keys, keyOffset(layer, kvHead, pos) + (long) d * KEY_BLOCK * type.bytesPerElement());
    }

    /** Element d of the value at {@code pos} (a slow accessor for tests and debugging). */
    public float value(int layer, int kvHead, int pos, int d) {
        checkElement(layer, kvHead, pos, d);
        return get(values, valueOffset(layer, kvHead, pos) + (long) d * type.bytesPerElement());
    }

    public int layers() { return layers; }

    public int kvHeads() { return kvHeads; }

    public int headDim() { return headDim; }

    @Override
    public int maxSeq() { return maxSeq; }

    @Override
    public KvType type() { return type; }

    @Override
    public long bytes() { return keys.byteSize() + values.byteSize(); }

    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }

    MemorySegment keys() { return keys; }

    MemorySegment values() { return values; }

    /** Byte offset of position {@code pos} (the block holding it, plus its column) in {@link #keys()}. */
    long keyOffset(int layer, int kvHead, int pos) {
        long head = (long) layer * kvHeads + kvHead;
        long block = head * paddedSeq + (pos - pos % KEY_BLOCK);
        return (block * headDim + pos % KEY_BLOCK) * type.bytesPerElement();
    }

    /** Byte offset of the value row at {@code pos} in {@link #values()}. */
    long valueOffset(int layer, int kvHead, int pos) {
        long head = (long) layer * kvHeads + kvHead;
        return ((head * paddedSeq + pos) * headDim) * type.bytesPerElement();
    }

    private void put(MemorySegment segment, long offset, float x) {
        if (type == KvType.F16) segment.set(ValueLayout.JAVA_SHORT, offset, Float.floatToFloat16(x));
        else segment.set(ValueLayout.JAVA_FLOAT, offset, x);
    }

    private float get(MemorySegment segment, long offset) {
        return type == KvType.F16 ? Float.float16ToFloat(segment.get(ValueLayout.JAVA_SHORT, offset))
                : segment.get(ValueLayout.JAVA_FLOAT, offset);
    }

    private static int paddedSeq(int maxSeq) {
        return (int) Math.min(Integer.MAX_VALUE, ((long) maxSeq + KEY_BLOCK - 1) / KEY_BLOCK * KEY_BLOCK);
    }

    private void checkLayer(int layer) {
        if (layer < 0 || layer >= layers) {
            throw new IllegalArgumentException("layer " + layer + " out of range [0, " + layers + ")");
        }
    }

    private void checkElement(int layer, int kvHead, int pos, int d) {
        checkLayer(layer);
        if (kvHead < 0 || kvHead >= kvHeads || pos < 0 || pos >= maxSeq || d < 0 || d >= headDim) {
            throw new IllegalArgumentException("element (kvHead " + kvHead + ", pos " + pos + ", d " + d
                    + ") outside kvHeads " + kvHeads + ", maxSeq " + maxSeq + ", headDim " + headDim);
        }
    }

    private static void requirePositive(String name, int value) {
        if (value < 1) throw new IllegalArgumentException(name + " must be >= 1, got " + value);
    }

    private static void requireLength(String name, float[] array, int rows, int cols) {
        if (array == null || array.length < (long) rows * cols) {
            throw new IllegalArgumentException(name + " needs " + rows + " x " + cols + " floats, got "
                    + (array == null ? "null" : array.length));
        }
    }
}
