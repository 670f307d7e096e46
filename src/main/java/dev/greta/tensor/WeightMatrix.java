package dev.greta.tensor;

import dev.greta.backend.Weights;
import dev.greta.backend.cpu.Parallel;
import dev.greta.gguf.GgmlType;
import dev.greta.gguf.GgufTensor;

import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * A 2-D weight in GGML layout: {@link #rows()} rows of {@link #cols()} elements, each row contiguous and made of
 * whole blocks of its {@link #type()}. The data is read in place (usually a slice of a mapped GGUF file).
 * Each format has its own subclass holding its scalar reference code and its vectorised decoder side by side.
 */
public abstract class WeightMatrix implements Weights {
    /** The formats Greta computes with. */
    public static final Set<GgmlType> SUPPORTED = Set.copyOf(EnumSet.of(
            GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K));

    final GgmlType type;
    final MemorySegment data;
    final int rows;
    final int cols;
    final long rowBytes;

    WeightMatrix(GgmlType type, MemorySegment data, int rows, int cols) {
        this.type = type;
        this.data = data;
        this.rows = rows;
        this.cols = cols;
        this.rowBytes = type.bytesFor(cols);
    }

    /** Binds a tensor of a GGUF file: ne0 is the row length, the product of the other dims the row count. */
    public static WeightMatrix of(GgufTensor t) {
        if (!SUPPORTED.contains(t.type())) {
            throw new UnsupportedOperationException("tensor '" + t.name() + "' has type " + t.type()
                    + ", which Greta cannot compute with (supported: " + supportedNames() + ")");
        }
        if (t.cols() > Integer.MAX_VALUE || t.rows() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' of shape " + t.shape() + " has more than "
                    + Integer.MAX_VALUE + " rows or columns");
        }
        try {
            return of(t.type(), t.data(), (int) t.rows(), (int) t.cols());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' " + t.shape() + ": " + e.getMessage(), e);
        }
    }

    /** Binds {@code rows} x {@code cols} elements of {@code type} stored at the start of {@code data}. */
    public static WeightMatrix of(GgmlType type, MemorySegment data, int rows, int cols) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("a weight matrix needs rows, cols >= 1, got " + rows + " x " + cols);
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException("row length " + cols + " is not a multiple of the " + type + " block size " + type.blockSize());
        }
        long need = type.bytesFor((long) rows * cols);
        if (data.byteSize() < need) {
            throw new IllegalArgumentException(rows + " x " + cols + " " + type + " needs " + need + " bytes, the data has " + data.byteSize());
        }
        return switch (type) {
            case F32 -> new F32Matrix(data, rows, cols);
            case F16 -> new F16Matrix(data, rows, cols);
            case BF16 -> new BF16Matrix(data, rows, cols);
            case Q8_0 -> new Q8_0Matrix(data, rows, cols);
            case Q4_0 -> new Q4_0Matrix(data, rows, cols);
            case Q4_K -> new Q4_KMatrix(data, rows, cols);
            case Q6_K -> new Q6_KMatrix(data, rows, cols);
            default -> throw new UnsupportedOperationException("type " + type + " is not supported (supported: " + supportedNames() + ")");
        };
    }

    public GgmlType type() { return type; }

    @Override
    public int rows() { return rows; }

    @Override
    public int cols() { return cols; }

    /**
     * {@code out[t*rows() + r] = sum_i x[t*cols() + i] * W[r][i]} for t in [0, nTokens). Threads claim chunks
     * of weight rows; each output element is one fused multiply-add chain over i in order (or, below
     * {@link Matmul#MIN_GEMM_TOKENS} tokens, a fixed-shape vector dot product), so results are bit-identical for
     * any pool size.
     */
    public void matmul(float[] x, int nTokens, float[] out, Parallel pool) {
        checkMatmul(x, nTokens, out);
        Objects.requireNonNull(pool, "pool");
        Matmul.run(this, x, nTokens, out, pool);
    }

    /**
     * {@link #matmul} of several matrices with the same input (Q, K and V; gate and up) as one parallel step:
     * {@code outs[i] = ws[i] · x}. Results are bit-identical to separate matmul calls.
     */
    public static void matmulAll(WeightMatrix[] ws, float[] x, int nTokens, float[][] outs, Parallel pool) {
        if (ws.length != outs.length) throw new IllegalArgumentException(ws.length + " matrices but " + outs.length + " outputs");
        if (ws.length == 0) return;
        Objects.requireNonNull(pool, "pool");
        for (int i = 0; i < ws.length; i++) {
            if (ws[i].cols != ws[0].cols) {
                throw new IllegalArgumentException("matrices share one input but have " + ws[0].cols + " and " + ws[i].cols + " columns");
            }
            ws[i].checkMatmul(x, nTokens, outs[i]);
        }
        Matmul.run(ws, x, nTokens, outs, pool);
    }

    /** Same as {@link #matmul}, single-threaded: dequantise each row with the scalar reference, dot in double. */
    public void matmulReference(float[] x, int nTokens, float[] out) {
        checkMatmul(x, nTokens, out);
        float[] w = new float[cols];
        for (int r = 0; r < rows; r++) {
            decodeReference(r, w, 0);
            for (int t = 0; t < nTokens; t++) {
                double sum = 0;
                int xo = t * cols;
                for (int i = 0; i < cols; i++) sum += (double) w[i] * x[xo + i];
                out[t * rows + r] = (float) sum;
            }
        }
    }

    /** Writes row {@code row} as floats to dst[dstOffset ..]; bit-identical to the scalar {@link Dequantizer}. */
    public void dequantizeRow(int row, float[] dst, int dstOffset) {
        Objects.checkIndex(row, rows);
        Objects.checkFromIndexSize(dstOffset, cols, dst.length);
        decode(row, 0, cols, dst, dstOffset);
    }

    /**
     * Fast path: elements [from, from + count) of {@code row} to dst. {@code from} and {@code count} are whole
     * blocks; no argument checks (callers are the kernels).
     */
    abstract void decode(int row, int from, int count, float[] dst, int dstOffset);

    /** Scalar reference: the whole row through {@link Dequantizer}. */
    final void decodeReference(int row, float[] dst, int dstOffset) {
        Dequantizer.dequantize(type, data, rowOffset(row), cols, dst, dstOffset);
    }

    /** Byte offset of the block holding element {@code from} of {@code row}. */
    final long blockOffset(int row, int from) {
        return row * rowBytes + (long) (from / type.blockSize()) * type.blockBytes();
    }

    final long rowOffset(int row) { return row * rowBytes; }

    private void checkMatmul(float[] x, int nTokens, float[] out) {
        if (nTokens < 0) throw new IllegalArgumentException("nTokens must be >= 0, got " + nTokens);
        if ((long) nTokens * cols > x.length) {
            throw new IllegalArgumentException("x holds " + x.length + " floats, " + nTokens + " tokens of " + cols + " need " + (long) nTokens * cols);
        }
        if ((long) nTokens * rows > out.length) {
            throw new IllegalArgumentException("out holds " + out.length + " floats, " + nTokens + " tokens of " + rows + " need " + (long) nTokens * rows);
        }
    }

    private static String supportedNames() {
        return String.join(", ", EnumSet.copyOf(SUPPORTED).stream().map(Enum::name).toList());
    }

    @Override
    public String toString() { return type + " " + rows + " x " + cols; }
}
