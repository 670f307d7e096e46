package dev.greta.backend.cpu;

import dev.greta.attention.AttentionKernels;
import dev.greta.attention.AttentionShape;
import dev.greta.attention.CpuKvCache;
import dev.greta.backend.Attention;
import dev.greta.backend.Backend;
import dev.greta.backend.Buffer;
import dev.greta.backend.KvCache;
import dev.greta.backend.KvType;
import dev.greta.backend.OpTiming;
import dev.greta.backend.Rope;
import dev.greta.backend.Weights;
import dev.greta.gguf.GgufTensor;
import dev.greta.model.ModelShape;
import dev.greta.tensor.WeightMatrix;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The default backend: weights stay memory-mapped in their GGUF format, activations are heap float arrays,
 * kernels use the Vector API on a fixed pool of threads with static partitions.
 */
public final class CpuBackend implements Backend {
    private final Parallel pool;
    private final Map<Rope, RopeTable> ropeTables = new IdentityHashMap<>();
    private CpuBuffer sum;  // matmulAdd's product before it is added, reused
    private final OpClock clock = new OpClock();

    public CpuBackend(int threads) {
        this.pool = new Parallel(threads);
    }

    @Override
    public String name() { return "cpu"; }

    @Override
    public Map<String, String> properties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("vector_species_bits", String.valueOf(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize()));
        p.put("os_arch", System.getProperty("os.arch"));
        return p;
    }

    @Override
    public int threads() { return pool.threads(); }

    public Parallel pool() { return pool; }

    @Override
    public Weights matrix(GgufTensor tensor) { return WeightMatrix.of(tensor); }

    @Override
    public Weights vector(float[] values) { return new CpuVector(values.clone()); }

    @Override
    public Buffer buffer(int rows, int cols) { return new CpuBuffer(rows, cols); }

    @Override
    public KvCache kvCache(ModelShape shape, int maxSeq, KvType type) {
        long bytes = CpuKvCache.bytesNeeded(shape.layers(), shape.kvHeads(), shape.headDim(), maxSeq, type);
        MemoryBudget.requireFits(bytes, "KV cache for " + maxSeq + " positions (" + shape.layers() + " layers x "
                + shape.kvHeads() + " KV heads x " + shape.headDim() + " dims x K,V in " + type.label() + ")");
        return new CpuKvCache(shape.layers(), shape.kvHeads(), shape.headDim(), maxSeq, type);
    }

    @Override
    public Attention attention(String spec, ModelShape shape, boolean deterministic) {
        return new CpuAttention(AttentionKernels.resolve(spec, deterministic),
                new AttentionShape(shape.heads(), shape.kvHeads(), shape.headDim()));
    }

    @Override
    public void embed(Weights table, int[] tokens, int from, int count, Buffer out) {
        long t0 = clock.start();
        WeightMatrix m = (WeightMatrix) table;
        float[] o = data(out);
        for (int r = 0; r < count; r++) {
            int id = tokens[from + r];
            if (id < 0 || id >= m.rows()) throw new IllegalArgumentException("token id " + id + " outside the vocabulary [0, " + m.rows() + ")");
            m.dequantizeRow(id, o, r * m.cols());
        }
        clock.stop("embed", t0);
    }

    @Override
    public void rmsNorm(Buffer x, Weights weight, float eps, int rows, Buffer out) {
        float[] xs = data(x);
        float[] os = data(out);
        float[] w = ((CpuVector) weight).values();
        int n = x.cols();
        long t0 = clock.start();
        pool.forRange(rows, 1, (from, to, worker) -> {
            for (int r = from; r < to; r++) ElementwiseKernels.rmsNorm(xs, r * n, w, eps, os, r * n, n);
        });
        clock.stop("rmsNorm", t0);
    }

    @Override
    public void matmul(Weights w, Buffer x, int rows, Buffer out) {
        long t0 = clock.start();
        ((WeightMatrix) w).matmul(data(x), rows, data(out), pool);
        if (t0 != 0) clock.stop("matmul " + shape(w), t0);
    }

    @Override
    public void matmulAdd(Weights w, Buffer x, int rows, Buffer out) {
        long t0 = clock.start();
        if (sum == null || sum.rows() < rows || sum.cols() != out.cols()) sum = new CpuBuffer(rows, out.cols());
        ((WeightMatrix) w).matmul(data(x), rows, data(sum), pool);
        addRows(out, sum, rows);
        if (t0 != 0) clock.stop("matmulAdd " + shape(w), t0);
    }

    @Override
    public void matmuls(Weights[] ws, Buffer x, int rows, Buffer[] outs) {
        // Small arrays per call (a few per layer): cheaper than the parallel steps the fusion saves.
        WeightMatrix[] ms = new WeightMatrix[ws.length];
        float[][] os = new float[outs.length][];
        for (int i = 0; i < ws.length; i++) ms[i] = (WeightMatrix) ws[i];
        for (int i = 0; i < outs.length; i++) os[i] = data(outs[i]);
        long t0 = clock.start();
        WeightMatrix.matmulAll(ms, data(x), rows, os, pool);
        if (t0 != 0) clock.stop("matmuls " + String.join(" ", Arrays.stream(ws).map(CpuBackend::shape).toList()), t0);
    }

    @Override
    public void rope(Buffer x, int rows, int heads, int startPos, Rope rope) {
        RopeTable table;
        synchronized (ropeTables) {
            table = ropeTables.computeIfAbsent(rope, RopeTable::new);
        }
        table.ensure(startPos + rows);
        float[] xs = data(x);
        float[] cos = table.cos();
        float[] sin = table.sin();
        int pairs = table.pairs();
        int cols = x.cols();
        long t0 = clock.start();
        pool.forRange(rows, 1, (from, to, worker) -> {
            for (int r = from; r < to; r++) {
                ElementwiseKernels.rope(xs, r * cols, heads, rope.headDim(), pairs, cos, sin, (startPos + r) * pairs);
            }
        });
        clock.stop("rope", t0);
    }

    @Override
    public void storeKv(KvCache cache, int layer, Buffer k, Buffer v, int rows, int startPos) {
        long t0 = clock.start();
        ((CpuKvCache) cache).store(layer, data(k), data(v), rows, startPos);
        clock.stop("storeKv", t0);
    }

    @Override
    public void attend(Attention kernel, KvCache cache, int layer, Buffer q, int rows, int startPos, Buffer out) {
        CpuAttention a = (CpuAttention) kernel;
        long t0 = clock.start();
        a.kernel().attend(data(q), rows, startPos, (CpuKvCache) cache, layer, data(out), a.shape(), pool);
        if (t0 != 0) clock.stop("attend." + a.name(), t0);
    }

    @Override
    public void swiglu(Buffer gate, Buffer up, int rows) {
        float[] g = data(gate);
        float[] u = data(up);
        int n = gate.cols();
        long t0 = clock.start();
        pool.forRange(rows, 1, (from, to, worker) -> {
            for (int r = from; r < to; r++) ElementwiseKernels.swiglu(g, u, r * n, n);
        });
        clock.stop("swiglu", t0);
    }

    @Override
    public void add(Buffer x, Buffer y, int rows) {
        long t0 = clock.start();
        addRows(x, y, rows);
        clock.stop("add", t0);
    }

    private void addRows(Buffer x, Buffer y, int rows) {
        float[] xs = data(x);
        float[] ys = data(y);
        int n = x.cols();
        pool.forRange(rows, 1, (from, to, worker) -> ElementwiseKernels.add(xs, ys, from * n, to * n));
    }

    @Override
    public void copyRow(Buffer src, int srcRow, Buffer dst, int dstRow) {
        System.arraycopy(data(src), srcRow * src.cols(), data(dst), dstRow * dst.cols(), src.cols());
    }

    @Override
    public float[] readRow(Buffer x, int row) {
        float[] out = new float[x.cols()];
        System.arraycopy(data(x), row * x.cols(), out, 0, x.cols());
        return out;
    }

    /** Wall time per op: every op here completes before it returns, so the host clock is the device clock. */
    @Override
    public void profileOps(boolean on) { clock.enable(on); }

    @Override
    public Map<String, OpTiming> opProfile() { return clock.snapshot(); }

    private static String shape(Weights w) { return w.rows() + "x" + w.cols(); }

    private static float[] data(Buffer b) { return ((CpuBuffer) b).data(); }

    @Override
    public void close() { pool.close(); }
}
