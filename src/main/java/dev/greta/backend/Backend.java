package dev.greta.backend;

import dev.greta.gguf.GgufTensor;
import dev.greta.model.ModelShape;

import java.util.Map;
import java.util.OptionalDouble;

/**
 * The operations the Llama forward pass needs, over buffers that live where the backend computes (host memory
 * for {@code cpu}, device memory for {@code cuda}). The forward pass calls only these, so the same model code
 * runs on any backend. Every activation is float32, row-major, one row per token position.
 */
public interface Backend extends AutoCloseable {

    /** "cpu" or "cuda": what PERF_TIMING reports as {@code backend}. */
    String name();

    /** Facts recorded beside every number this backend makes (device name, driver and runtime versions...). */
    Map<String, String> properties();

    /** Threads the backend computes with (host threads for cpu). */
    int threads();

    /** Binds a 2-D weight tensor (ne0 = columns, ne1 = rows) for {@link #matmul} and {@link #embed}. */
    Weights matrix(GgufTensor tensor);

    /** Binds a 1-D float vector, e.g. RMSNorm weights. */
    Weights vector(float[] values);

    /** A float32 buffer of {@code rows} x {@code cols}. */
    Buffer buffer(int rows, int cols);

    /** The KV cache for {@code maxSeq} positions of a model of this shape. */
    KvCache kvCache(ModelShape shape, int maxSeq, KvType type);

    /** An attention kernel of this backend by spec, e.g. "naive" or "flash:q=64,kv=32". */
    Attention attention(String spec, ModelShape shape, boolean deterministic);

    /** out[r] = row tokens[from + r] of the embedding table, for r in [0, count). */
    void embed(Weights table, int[] tokens, int from, int count, Buffer out);

    /** out[r] = x[r] / rms(x[r]) * weight, for the first {@code rows} rows. */
    void rmsNorm(Buffer x, Weights weight, float eps, int rows, Buffer out);

    /** out[r][o] = sum_i x[r][i] * w[o][i]: prompt rows times the weight's rows. */
    void matmul(Weights w, Buffer x, int rows, Buffer out);

    /**
     * out[r][o] += sum_i x[r][i] * w[o][i]: a residual branch's output projection added to the residual stream
     * (a GPU folds the addition into the GEMM).
     */
    void matmulAdd(Weights w, Buffer x, int rows, Buffer out);

    /**
     * {@code matmul(ws[i], x, rows, outs[i])} for every i: weights that share their input (Q, K and V; gate and
     * up). A backend may run them as one step (the cpu backend: one parallel task instead of one per matrix).
     */
    default void matmuls(Weights[] ws, Buffer x, int rows, Buffer[] outs) {
        for (int i = 0; i < ws.length; i++) matmul(ws[i], x, rows, outs[i]);
    }

    /** Rotates pairs of each head of the first {@code rows} rows (row r at position startPos + r). */
    void rope(Buffer x, int rows, int heads, int startPos, Rope rope);

    /** Writes k, v rows for positions [startPos, startPos + rows) of {@code layer} into the cache. */
    void storeKv(KvCache cache, int layer, Buffer k, Buffer v, int rows, int startPos);

    /** Causal attention of q rows (positions startPos..) against the cache's positions [0, startPos + rows). */
    void attend(Attention kernel, KvCache cache, int layer, Buffer q, int rows, int startPos, Buffer out);

    /** gate[r] = silu(gate[r]) * up[r]. */
    void swiglu(Buffer gate, Buffer up, int rows);

    /** x[r] += y[r]. */
    void add(Buffer x, Buffer y, int rows);

    /** Copies row {@code srcRow} of src to row {@code dstRow} of dst. */
    void copyRow(Buffer src, int srcRow, Buffer dst, int dstRow);

    /** Reads one row back to the host; waits for the work queued before it. */
    float[] readRow(Buffer x, int row);

    /** Starts the device clock: {@link #deviceSeconds()} then reads the device time of the work queued since. */
    default void startDeviceClock() {}

    /**
     * Device seconds of the work queued since {@link #startDeviceClock()} (waits for it), measured on the device
     * (CUDA events); empty for a backend that computes on the host, where the wall clock is the only clock.
     */
    default OptionalDouble deviceSeconds() { return OptionalDouble.empty(); }

    /** Turns per-op timing on (clearing what was recorded) or off; ignored by a backend that cannot time its ops. */
    default void profileOps(boolean on) {}

    /** Time per op since {@link #profileOps} turned timing on (device clock, or wall clock where ops complete in place). */
    default Map<String, OpTiming> opProfile() { return Map.of(); }

    @Override
    void close();
}
