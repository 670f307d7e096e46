package dev.greta.tensor;

import dev.greta.backend.cpu.Parallel;
import jdk.incubator.vector.FloatVector;

import java.util.Arrays;

import static dev.greta.tensor.Lanes.F;
import static dev.greta.tensor.Lanes.L;

/**
 * The fast matmul of every format: out[t][r] = sum_i x[t][i] * W[r][i].
 *
 * <p>With {@link #MIN_GEMM_TOKENS} or more tokens (prefill) it is a GEMM: each worker takes groups of two
 * panels of {@link #PANEL_ROWS} weight rows, decodes a step of up to {@link #MAX_KC} columns of each into a
 * transposed float panel (column k holds the panel's rows as two vectors), and runs an outer-product micro-kernel
 * over tiles of {@link #TILE_TOKENS} tokens: per k, two weight vectors times one broadcast activation per token,
 * accumulated in registers for the whole step. Every output element is one fused multiply-add chain over
 * i = 0, 1, ... in order, whatever the tile, panel or thread, so results do not depend on the thread count.
 *
 * <p>With fewer tokens: for one token (token generation), formats that are a {@link FusedDot} (Q8_0, Q4_0, Q4_K,
 * Q6_K) dot their codes straight from memory against activations rearranged once per call; otherwise each row
 * is decoded once and dotted with each token.
 */
final class Matmul {
    private Matmul() {}

    /** Most columns decoded per panel step (see {@link #kStep}). */
    static final int MAX_KC = 2048;
    /** Steps are whole multiples of this: a multiple of every block size (K-quant super-blocks are 256). */
    private static final int KC_UNIT = 256;
    static final int PANEL_ROWS = 2 * L;
    /** Rows whose panels share each token tile (see gemmGroup). */
    static final int GROUP_ROWS = 2 * PANEL_ROWS;
    static final int TILE_TOKENS = 6;
    /**
     * Below this many tokens the transposed panel (decode plus transpose, ~0.5 ns per weight on Zen 3) costs
     * more than dot products with a decoded row: measured crossover 10-12 tokens for Q8_0, Q6_K and F16.
     */
    static final int MIN_GEMM_TOKENS = 12;
    /** Dot-product partial sums: 4 vectors of L lanes, reduced in a fixed order. */
    private static final int DOT_VECTORS = 4;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    private static final ThreadLocal<Call> CALLS = ThreadLocal.withInitial(Call::new);

    /**
     * Weights a few-token chunk of rows covers (~32 K): small enough that the threads end within a few
     * microseconds of each other, large enough that claiming a chunk (one contended CAS) costs little.
     */
    static final int GEMV_CHUNK_WEIGHTS = 32 * 1024;
    /** GEMM chunks: one group of panels. */
    static final int GEMM_CHUNK_ROWS = GROUP_ROWS;

    /**
     * out[i] = ws[i] x for matrices sharing the input x (same cols), as one parallel step whose chunks of rows
     * the threads claim dynamically: every output element is computed by one thread in an order fixed by its
     * row, so which thread takes which chunk does not change the result.
     */
    static void run(WeightMatrix[] ws, float[] x, int nTokens, float[][] outs, Parallel pool) {
        if (nTokens == 0) return;
        Call call = CALLS.get();
        call.prepare(ws, x, nTokens, outs);
        try {
            pool.forChunks(call.chunks[ws.length], 1, call.task);
        } finally {
            call.clear();
        }
    }

    static void run(WeightMatrix w, float[] x, int nTokens, float[] out, Parallel pool) {
        Call call = CALLS.get();
        call.one[0] = w;
        call.oneOut[0] = out;
        try {
            run(call.one, x, nTokens, call.oneOut, pool);
        } finally {
            call.one[0] = null;
            call.oneOut[0] = null;
        }
    }

    /** One call's arguments and chunk table, reused by the calling thread so a call allocates nothing. */
    private static final class Call {
        WeightMatrix[] ws;
        float[] x;
        int nTokens;
        float[][] outs;
        /** Per matrix: x as its one-token kernel reads it ({@link FusedDot#input}), else x. */
        float[][] inputs = new float[3][];
        /** Per matrix: room for a rearranged x, kept across calls. */
        float[][] inputRoom = new float[3][];
        /** chunks[i] = chunks of the matrices before i; chunks[n] = all chunks. */
        int[] chunks = new int[4];
        int[] rowsPerChunk = new int[3];
        final WeightMatrix[] one = new WeightMatrix[1];
        final float[][] oneOut = new float[1][];
        final Parallel.RangeTask task = (from, to, worker) -> {
            for (int c = from; c < to; c++) runChunk(c);
        };

        void prepare(WeightMatrix[] ws, float[] x, int nTokens, float[][] outs) {
            this.ws = ws;
            this.x = x;
            this.nTokens = nTokens;
            this.outs = outs;
            if (rowsPerChunk.length < ws.length) {
                rowsPerChunk = new int[ws.length];
                chunks = new int[ws.length + 1];
                inputs = new float[ws.length][];
                inputRoom = Arrays.copyOf(inputRoom, ws.length);
            }
            for (int i = 0; i < ws.length; i++) {
                WeightMatrix w = ws[i];
                inputs[i] = x;
                if (nTokens == 1 && w instanceof FusedDot f) {
                    // Matrices sharing x have the same cols, so one of the same format can share its input too.
                    for (int j = 0; j < i && inputs[i] == x; j++) {
                        if (ws[j].getClass() == w.getClass()) inputs[i] = inputs[j];
                    }
                    if (inputs[i] == x) {
                        int n = f.inputRoom();
                        if (inputRoom[i] == null || inputRoom[i].length < n) inputRoom[i] = new float[n];
                        inputs[i] = f.input(x, inputRoom[i]);
                    }
                }
                int unit = nTokens >= MIN_GEMM_TOKENS ? GEMM_CHUNK_ROWS : Math.max(4, GEMV_CHUNK_WEIGHTS / w.cols / 4 * 4);
                // Huge matrices take bigger chunks (whole units, so GEMM chunks stay whole panels).
                long fewest = ((long) w.rows * ws.length + Parallel.MAX_CHUNKS - 1) / Parallel.MAX_CHUNKS;
                int per = (int) Math.max(unit, (fewest + unit - 1) / unit * unit);
                rowsPerChunk[i] = per;
                chunks[i + 1] = chunks[i] + (w.rows + per - 1) / per;
            }
        }

        void runChunk(int c) {
            int i = 0;
            while (c >= chunks[i + 1]) i++;
            WeightMatrix w = ws[i];
            int from = (c - chunks[i]) * rowsPerChunk[i];
            int to = Math.min(w.rows, from + rowsPerChunk[i]);
            if (nTokens >= MIN_GEMM_TOKENS) gemmRows(w, x, nTokens, outs[i], from, to);
            else if (nTokens == 1 && w instanceof FusedDot f) fusedRows(f, inputs[i], outs[i], from, to);
            else decodedGemvRows(w, x, nTokens, outs[i], from, to);
        }

        void clear() {
            ws = null;
            x = null;
            outs = null;
            Arrays.fill(inputs, null);
        }
    }

    /** Per-thread buffers, grown on demand and kept. */
    private static final class Scratch {
        final float[] chunk = new float[MAX_KC];
        /** Per panel of a group: where its outputs go (out or tail), their row stride and first index. */
        final float[][] dst = new float[GROUP_ROWS / PANEL_ROWS][];
        final int[] stride = new int[GROUP_ROWS / PANEL_ROWS];
        final int[] offset = new int[GROUP_ROWS / PANEL_ROWS];
        float[] panels = new float[0];
        final float[] lanes = new float[DOT_VECTORS * L];
        float[] row = new float[0];
        float[] tail = new float[0];

        float[] row(int n) {
            if (row.length < n) row = new float[n];
            return row;
        }

        float[] panels(int n) {
            if (panels.length < n) panels = new float[n];
            return panels;
        }

        float[] tail(int n) {
            if (tail.length < n) tail = new float[n];
            return tail;
        }
    }

    static void gemmRows(WeightMatrix w, float[] x, int nTokens, float[] out, int from, int to) {
        for (int r = from; r < to; r += GROUP_ROWS) gemmGroup(w, x, nTokens, out, r, Math.min(to, r + GROUP_ROWS));
    }

    /** Rows [from, to), at most GROUP_ROWS: their panels packed side by side, each token tile run over all of them. */
    private static void gemmGroup(WeightMatrix w, float[] x, int nTokens, float[] out, int from, int to) {
        Scratch s = SCRATCH.get();
        int rows = w.rows;
        int cols = w.cols;
        int panels = (to - from + PANEL_ROWS - 1) / PANEL_ROWS;
        int lastRows = to - from - (panels - 1) * PANEL_ROWS;
        for (int p = 0; p < panels; p++) {
            // A partial panel accumulates into scratch: a full-width store into out would spill into the next token.
            boolean partial = p == panels - 1 && lastRows < PANEL_ROWS;
            s.dst[p] = partial ? s.tail(nTokens * PANEL_ROWS) : out;
            s.stride[p] = partial ? PANEL_ROWS : rows;
            s.offset[p] = partial ? 0 : from + p * PANEL_ROWS;
        }
        int step = kStep(cols);
        int panelFloats = step * PANEL_ROWS;
        float[] packed = s.panels(panels * panelFloats);
        for (int k0 = 0; k0 < cols; k0 += step) {
            int kc = Math.min(step, cols - k0);
            for (int p = 0; p < panels; p++) {
                pack(w, from + p * PANEL_ROWS, p == panels - 1 ? lastRows : PANEL_ROWS, k0, kc, packed, p * panelFloats,
                        s.chunk);
            }
            boolean first = k0 == 0;
            // Token tile outside, panels inside: the tile's activations come from memory once per group.
            int t = 0;
            for (; t + TILE_TOKENS <= nTokens; t += TILE_TOKENS) {
                for (int p = 0; p < panels; p++) {
                    tile6(packed, p * panelFloats, kc, x, cols, k0, t, s.dst[p], s.stride[p], s.offset[p], first);
                }
            }
            if (t + 3 <= nTokens) {
                for (int p = 0; p < panels; p++) {
                    tile3(packed, p * panelFloats, kc, x, cols, k0, t, s.dst[p], s.stride[p], s.offset[p], first);
                }
                t += 3;
            }
            for (; t < nTokens; t++) {
                for (int p = 0; p < panels; p++) {
                    tile1(packed, p * panelFloats, kc, x, cols, k0, t, s.dst[p], s.stride[p], s.offset[p], first);
                }
            }
        }
        if (lastRows < PANEL_ROWS) {
            int r0 = from + (panels - 1) * PANEL_ROWS;
            float[] tail = s.dst[panels - 1];
            for (int t = 0; t < nTokens; t++) System.arraycopy(tail, t * PANEL_ROWS, out, t * rows + r0, lastRows);
        }
        Arrays.fill(s.dst, null);
    }

    /**
     * Columns per panel step: the whole row when it has at most MAX_KC, else the fewest steps of at most MAX_KC
     * columns, each a multiple of KC_UNIT but the last. A step's accumulators stay in registers for the whole
     * step; between steps they go out to the output array and come back, which for 256-column steps cost 10-15 %
     * of the GEMM (A/B in one JVM, PERFORMANCE-tensor.md), while a panel of up to 2048 columns (128 KiB) is still
     * read from L2 fast enough.
     */
    static int kStep(int cols) {
        if (cols <= MAX_KC) return cols;
        int steps = (cols + MAX_KC - 1) / MAX_KC;
        int units = ((cols + steps - 1) / steps + KC_UNIT - 1) / KC_UNIT;
        return units * KC_UNIT;
    }

    /**
     * Decodes columns [k0, k0 + kc) of rows [r0, r0 + n) into panel[at + k * PANEL_ROWS + r]; missing rows are
     * zero.
     */
    private static void pack(WeightMatrix w, int r0, int n, int k0, int kc, float[] panel, int at, float[] chunk) {
        for (int r = 0; r < n; r++) {
            w.decode(r0 + r, k0, kc, chunk, 0);
            for (int k = 0, p = at + r; k < kc; k++, p += PANEL_ROWS) panel[p] = chunk[k];
        }
        for (int r = n; r < PANEL_ROWS; r++) {
            for (int k = 0, p = at + r; k < kc; k++, p += PANEL_ROWS) panel[p] = 0;
        }
    }

    /** Six tokens times one panel over kc columns; accumulators start at zero or continue from dst. */
    private static void tile6(float[] panel, int at, int kc, float[] x, int cols, int k0, int t0, float[] dst, int stride,
                              int offset, boolean first) {
        int x0 = t0 * cols + k0;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        int x4 = x3 + cols;
        int x5 = x4 + cols;
        int d0 = t0 * stride + offset;
        int d1 = d0 + stride;
        int d2 = d1 + stride;
        int d3 = d2 + stride;
        int d4 = d3 + stride;
        int d5 = d4 + stride;
        FloatVector a0, b0, a1, b1, a2, b2, a3, b3, a4, b4, a5, b5;
        if (first) {
            a0 = b0 = a1 = b1 = a2 = b2 = a3 = b3 = a4 = b4 = a5 = b5 = FloatVector.zero(F);
        } else {
            a0 = FloatVector.fromArray(F, dst, d0);
            b0 = FloatVector.fromArray(F, dst, d0 + L);
            a1 = FloatVector.fromArray(F, dst, d1);
            b1 = FloatVector.fromArray(F, dst, d1 + L);
            a2 = FloatVector.fromArray(F, dst, d2);
            b2 = FloatVector.fromArray(F, dst, d2 + L);
            a3 = FloatVector.fromArray(F, dst, d3);
            b3 = FloatVector.fromArray(F, dst, d3 + L);
            a4 = FloatVector.fromArray(F, dst, d4);
            b4 = FloatVector.fromArray(F, dst, d4 + L);
            a5 = FloatVector.fromArray(F, dst, d5);
            b5 = FloatVector.fromArray(F, dst, d5 + L);
        }
        for (int k = 0, p = at; k < kc; k++, p += PANEL_ROWS) {
            FloatVector wa = FloatVector.fromArray(F, panel, p);
            FloatVector wb = FloatVector.fromArray(F, panel, p + L);
            FloatVector v = FloatVector.broadcast(F, x[x0 + k]);
            a0 = wa.fma(v, a0);
            b0 = wb.fma(v, b0);
            v = FloatVector.broadcast(F, x[x1 + k]);
            a1 = wa.fma(v, a1);
            b1 = wb.fma(v, b1);
            v = FloatVector.broadcast(F, x[x2 + k]);
            a2 = wa.fma(v, a2);
            b2 = wb.fma(v, b2);
            v = FloatVector.broadcast(F, x[x3 + k]);
            a3 = wa.fma(v, a3);
            b3 = wb.fma(v, b3);
            v = FloatVector.broadcast(F, x[x4 + k]);
            a4 = wa.fma(v, a4);
            b4 = wb.fma(v, b4);
            v = FloatVector.broadcast(F, x[x5 + k]);
            a5 = wa.fma(v, a5);
            b5 = wb.fma(v, b5);
        }
        a0.intoArray(dst, d0);
        b0.intoArray(dst, d0 + L);
        a1.intoArray(dst, d1);
        b1.intoArray(dst, d1 + L);
        a2.intoArray(dst, d2);
        b2.intoArray(dst, d2 + L);
        a3.intoArray(dst, d3);
        b3.intoArray(dst, d3 + L);
        a4.intoArray(dst, d4);
        b4.intoArray(dst, d4 + L);
        a5.intoArray(dst, d5);
        b5.intoArray(dst, d5 + L);
    }

    /** Three tokens times one panel: the same per-element chain as {@link #tile6}. */
    private static void tile3(float[] panel, int at, int kc, float[] x, int cols, int k0, int t0, float[] dst, int stride,
                              int offset, boolean first) {
        int x0 = t0 * cols + k0;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int d0 = t0 * stride + offset;
        int d1 = d0 + stride;
        int d2 = d1 + stride;
        FloatVector a0, b0, a1, b1, a2, b2;
        if (first) {
            a0 = b0 = a1 = b1 = a2 = b2 = FloatVector.zero(F);
        } else {
            a0 = FloatVector.fromArray(F, dst, d0);
            b0 = FloatVector.fromArray(F, dst, d0 + L);
            a1 = FloatVector.fromArray(F, dst, d1);
            b1 = FloatVector.fromArray(F, dst, d1 + L);
            a2 = FloatVector.fromArray(F, dst, d2);
            b2 = FloatVector.fromArray(F, dst, d2 + L);
        }
        for (int k = 0, p = at; k < kc; k++, p += PANEL_ROWS) {
            FloatVector wa = FloatVector.fromArray(F, panel, p);
            FloatVector wb = FloatVector.fromArray(F, panel, p + L);
            FloatVector v = FloatVector.broadcast(F, x[x0 + k]);
            a0 = wa.fma(v, a0);
            b0 = wb.fma(v, b0);
            v = FloatVector.broadcast(F, x[x1 + k]);
            a1 = wa.fma(v, a1);
            b1 = wb.fma(v, b1);
            v = FloatVector.broadcast(F, x[x2 + k]);
            a2 = wa.fma(v, a2);
            b2 = wb.fma(v, b2);
        }
        a0.intoArray(dst, d0);
        b0.intoArray(dst, d0 + L);
        a1.intoArray(dst, d1);
        b1.intoArray(dst, d1 + L);
        a2.intoArray(dst, d2);
        b2.intoArray(dst, d2 + L);
    }

    /** One token times one panel: the same per-element chain as {@link #tile6}. */
    private static void tile1(float[] panel, int at, int kc, float[] x, int cols, int k0, int t, float[] dst, int stride,
                              int offset, boolean first) {
        int x0 = t * cols + k0;
        int d0 = t * stride + offset;
        FloatVector a = first ? FloatVector.zero(F) : FloatVector.fromArray(F, dst, d0);
        FloatVector b = first ? FloatVector.zero(F) : FloatVector.fromArray(F, dst, d0 + L);
        for (int k = 0, p = at; k < kc; k++, p += PANEL_ROWS) {
            FloatVector v = FloatVector.broadcast(F, x[x0 + k]);
            a = FloatVector.fromArray(F, panel, p).fma(v, a);
            b = FloatVector.fromArray(F, panel, p + L).fma(v, b);
        }
        a.intoArray(dst, d0);
        b.intoArray(dst, d0 + L);
    }

    /** One token, rows [from, to) of a format that dots its codes in place. */
    private static void fusedRows(FusedDot f, float[] x, float[] out, int from, int to) {
        float[] scratch = SCRATCH.get().lanes;
        for (int r = from; r < to; r++) out[r] = f.dot(r, x, scratch);
    }

    /** The few-token path otherwise: decode each row once, dot it with each token. */
    private static void decodedGemvRows(WeightMatrix w, float[] x, int nTokens, float[] out, int from, int to) {
        Scratch s = SCRATCH.get();
        int cols = w.cols;
        float[] row = s.row(cols);
        for (int r = from; r < to; r++) {
            w.decode(r, 0, cols, row, 0);
            for (int t = 0; t < nTokens; t++) out[t * w.rows + r] = dot(row, x, t * cols, cols, s.lanes);
        }
    }

    /** sum_i w[i] * x[xo + i] with 4L lane-wise partial sums, added up in a fixed order. */
    private static float dot(float[] w, float[] x, int xo, int n, float[] lanes) {
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        int step = DOT_VECTORS * L;
        int i = 0;
        for (; i <= n - step; i += step) {
            s0 = FloatVector.fromArray(F, w, i).fma(FloatVector.fromArray(F, x, xo + i), s0);
            s1 = FloatVector.fromArray(F, w, i + L).fma(FloatVector.fromArray(F, x, xo + i + L), s1);
            s2 = FloatVector.fromArray(F, w, i + 2 * L).fma(FloatVector.fromArray(F, x, xo + i + 2 * L), s2);
            s3 = FloatVector.fromArray(F, w, i + 3 * L).fma(FloatVector.fromArray(F, x, xo + i + 3 * L), s3);
        }
        s0.add(s1).add(s2.add(s3)).intoArray(lanes, 0);
        float sum = 0;
        for (int j = 0; j < L; j++) sum += lanes[j];
        for (; i < n; i++) sum = Math.fma(w[i], x[xo + i], sum);
        return sum;
    }
}
