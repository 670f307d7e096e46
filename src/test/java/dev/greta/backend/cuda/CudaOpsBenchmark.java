package dev.greta.backend.cuda;

import dev.greta.backend.Attention;
import dev.greta.backend.Buffer;
import dev.greta.backend.KvCache;
import dev.greta.backend.KvType;
import dev.greta.backend.OpTiming;
import dev.greta.backend.Rope;
import dev.greta.backend.Weights;
import dev.greta.gguf.GgmlType;
import dev.greta.gguf.GgufTensor;
import dev.greta.model.ModelShape;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Device-time benchmark of the backend's ops at Llama-3-8B shapes (dim 4096, 32 heads, 8 KV heads, head dim
 * 128, FFN 14336), timed with CUDA events through {@link CudaBackend#timings()}: 3 warm-ups, then the median
 * of 10 runs, each on random (never zero) data ("median ms": one op alone on an idle stream, so it includes the
 * launch gap). "queued ms" is the mean of 20 back-to-back calls between two events, as in a forward pass.
 * Prints a table last. Not a test: numbers never gate a build.
 */
public final class CudaOpsBenchmark {
    private static final int WARMUP = 3;
    private static final int RUNS = 10;
    private static final ModelShape LLAMA3_8B = new ModelShape(1, 4096, 14336, 32, 8, 128, 128256, 8192, 1e-5f);
    private final CudaBackend cuda;
    private final List<String> table = new ArrayList<>();
    private final Random random = new Random(42);

    private CudaOpsBenchmark(CudaBackend cuda) {
        this.cuda = cuda;
    }

    public static void main(String[] args) {
        try (CudaBackend cuda = CudaBackend.open()) {
            System.out.println("benchmark " + LocalDate.now() + " on " + cuda.properties());
            CudaOpsBenchmark b = new CudaOpsBenchmark(cuda);
            // GRETA_BENCH_PARTS (e.g. "attention,long"): only those parts, to spend less GPU time on one question
            Set<String> parts = Set.of(System.getenv().getOrDefault("GRETA_BENCH_PARTS",
                    "gemms,attention,long,elementwise,upload,host").split(","));
            if (parts.contains("gemms")) b.gemms();
            if (parts.contains("attention")) b.attention();
            if (parts.contains("long")) b.longPromptAttention();
            if (parts.contains("elementwise")) b.elementwise();
            if (parts.contains("upload")) b.upload();
            if (parts.contains("host")) b.hostOverhead();
            System.out.println("kernels: " + cuda.kernelCacheSummary());
            System.out.printf("%-14s %-38s %-32s %9s %9s  %s%n", "op", "shape", "variant", "median ms", "queued ms",
                    "rate (from median)");
            b.table.forEach(System.out::println);
        } catch (CudaUnavailableException e) {
            System.out.println("benchmark skipped: " + e.getMessage());
        }
    }

    /** Median device milliseconds of {@code op}'s timing key over RUNS runs after WARMUP. */
    private double time(String key, Runnable op) {
        for (int i = 0; i < WARMUP; i++) op.run();
        double[] ms = new double[RUNS];
        cuda.setProfiling(true);
        for (int i = 0; i < RUNS; i++) {
            cuda.resetTimings();
            op.run();
            Map<String, OpTiming> t = cuda.timings();
            OpTiming timing = t.get(key);
            if (timing == null) throw new IllegalStateException("no timing " + key + " in " + t.keySet());
            ms[i] = timing.totalMillis();
        }
        cuda.setProfiling(false);
        Arrays.sort(ms);
        return (ms[RUNS / 2 - 1] + ms[RUNS / 2]) / 2;
    }

    /** Mean device milliseconds per call of 20 calls queued back to back. */
    private double queued(Runnable op) {
        CudaDriver driver = cuda.device().driver;
        MemorySegment start = driver.createEvent(CudaDriver.CU_EVENT_DEFAULT);
        MemorySegment end = driver.createEvent(CudaDriver.CU_EVENT_DEFAULT);
        try {
            op.run();
            driver.record(start, cuda.device().stream());
            for (int i = 0; i < 20; i++) op.run();
            driver.record(end, cuda.device().stream());
            driver.synchronizeEvent(end);
            return driver.elapsedMillis(start, end) / 20;
        } finally {
            driver.destroyEvent(start);
            driver.destroyEvent(end);
        }
    }

    private void row(String op, String shape, String variant, double ms, double queuedMs, String rate) {
        table.add(String.format(Locale.ROOT, "%-14s %-38s %-32s %9.4f %9.4f  %s", op, shape, variant, ms, queuedMs, rate));
    }

    private Buffer randomBuffer(int rows, int cols) {
        Buffer b = cuda.buffer(rows, cols);
        cuda.write(b, Reference.gaussian(random, rows * cols, 1.0));
        return b;
    }

    private void gemms() {
        int[][] shapes = {{4096, 4096}, {14336, 4096}, {4096, 14336}};
        try (Arena arena = Arena.ofConfined()) {
            for (int[] s : shapes) {
                GgufTensor t = GgmlReference.random(GgmlType.Q8_0, s[0], s[1], random, arena);
                Weights w = cuda.matrix(t);
                for (int rows : new int[] {1, 512}) {
                    Buffer x = randomBuffer(rows, s[1]), out = cuda.buffer(rows, s[0]);
                    Runnable op = () -> cuda.matmul(w, x, rows, out);
                    // as if an op had just written x: the matmul converts it to bf16 again (else it reuses the copy)
                    Runnable freshInput = () -> {
                        ((CudaBuffer) x).written();
                        cuda.matmul(w, x, rows, out);
                    };
                    double gemm = time("matmul.gemm", op);
                    double convert = time("matmul.toBf16", freshInput);
                    double both = queued(freshInput);
                    double flops = 2.0 * rows * s[0] * s[1];
                    double bytes = 2.0 * s[0] * s[1];
                    row("matmul.gemm", rows + "x" + s[1] + " . (" + s[0] + "x" + s[1] + ")^T", "cublasGemmEx bf16",
                            gemm, Double.NaN, String.format(Locale.ROOT, "%.1f TFLOP/s, %.0f GB/s weights", flops / gemm / 1e9,
                                    bytes / gemm / 1e6));
                    row("matmul", rows + "x" + s[1] + " . (" + s[0] + "x" + s[1] + ")^T", "toBf16 | toBf16 + gemm", convert,
                            both, "");
                }
            }
        }
    }

    private void attention() {
        ModelShape s = LLAMA3_8B;
        List<String> specs = List.of("naive", "flash:mma=0", "flash", "flash:q=16,kv=64", "flash:q=16,kv=128",
                "flash:q=32,kv=128", "flash:q=64,kv=64");
        int[][] cases = {{512, 0}, {512, 3584}, {512, 7680}, {1, 4095}, {1, 16383}};
        try (KvCache cache = cuda.kvCache(s, 16384, KvType.F16)) {
            for (int from = 0; from < 16384; from += 512) {
                cuda.storeKv(cache, 0, randomBuffer(512, s.kvDim()), randomBuffer(512, s.kvDim()), 512, from);
            }
            for (int[] c : cases) {
                int rows = c[0], start = c[1];
                Buffer q = randomBuffer(rows, s.qDim()), out = cuda.buffer(rows, s.qDim());
                double pairs = 0;
                for (int r = 0; r < rows; r++) pairs += start + r + 1;
                double flops = 4.0 * s.headDim() * s.heads() * pairs;
                for (String spec : specs) {
                    Attention a = cuda.attention(spec, s, true);
                    try {
                        Runnable op = () -> cuda.attend(a, cache, 0, q, rows, start, out);
                        double ms = time("attend." + a.name(), op);
                        row("attend", rows + " rows at " + start + " (keys " + (start + rows) + "), f16 KV", a.name(), ms,
                                queued(op), String.format(Locale.ROOT, "%.1f TFLOP/s", flops / ms / 1e9));
                    } catch (IllegalArgumentException e) {
                        row("attend", rows + " rows at " + start, a.name(), Double.NaN, Double.NaN, e.getMessage());
                    }
                }
            }
        }
    }

    /** Attention of one 4096-row prompt chunk at the shapes of issue 7's targets, the last chunk of 4k / 16k / 32k. */
    private void longPromptAttention() {
        ModelShape tinyLlama = new ModelShape(1, 2048, 5632, 32, 4, 64, 32000, 32768, 1e-5f);
        ModelShape llama2 = new ModelShape(1, 4096, 11008, 32, 32, 128, 32000, 32768, 1e-5f);
        attentionCases("TinyLlama", tinyLlama, 32768, List.of("flash", "flash:mma=1", "flash:mma=2,q=8",
                "flash:mma=2,q=32", "flash:mma=2,q=24,kv=128"));
        attentionCases("Llama-2-7B", llama2, 32768, List.of("flash", "flash:mma=1", "flash:mma=2,q=64",
                "flash:mma=2,q=128", "flash:mma=2,q=192,kv=64"));
    }

    private void attentionCases(String label, ModelShape s, int keys, List<String> specs) {
        int rows = 4096;
        try (KvCache cache = cuda.kvCache(s, keys, KvType.F16)) {
            for (int from = 0; from < keys; from += rows) {
                cuda.storeKv(cache, 0, randomBuffer(rows, s.kvDim()), randomBuffer(rows, s.kvDim()), rows, from);
            }
            Buffer q = randomBuffer(rows, s.qDim()), out = cuda.buffer(rows, s.qDim());
            for (int start : new int[] {0, 12288, keys - rows}) {
                double pairs = (double) rows * start + (double) rows * (rows + 1) / 2;
                double flops = 4.0 * s.headDim() * s.heads() * pairs;
                for (String spec : specs) {
                    Attention a = cuda.attention(spec, s, true);
                    Runnable op = () -> cuda.attend(a, cache, 0, q, rows, start, out);
                    double ms = time("attend." + a.name(), op);
                    row("attend", label + " " + rows + " rows at " + start, a.name(), ms, Double.NaN,
                            String.format(Locale.ROOT, "%.1f TFLOP/s", flops / ms / 1e9));
                }
            }
        }
    }

    private void elementwise() {
        ModelShape s = LLAMA3_8B;
        int rows = 512;
        Buffer x = randomBuffer(rows, s.dim()), out = cuda.buffer(rows, s.dim());
        Weights norm = cuda.vector(Reference.gaussian(random, s.dim(), 1.0));
        elementwise("rmsNorm", rows + "x" + s.dim(), () -> cuda.rmsNorm(x, norm, 1e-5f, rows, out));
        Buffer q = randomBuffer(rows, s.qDim());
        float[] freq = new float[64];
        for (int i = 0; i < 64; i++) freq[i] = (float) Math.pow(500000, -i / 64.0);
        Rope rope = new Rope(128, 128, freq);
        elementwise("rope", rows + "x32 heads", () -> cuda.rope(q, rows, s.heads(), 100, rope));
        Buffer g = randomBuffer(rows, s.ffnDim()), u = randomBuffer(rows, s.ffnDim());
        elementwise("swiglu", rows + "x" + s.ffnDim(), () -> cuda.swiglu(g, u, rows));
        elementwise("add", rows + "x" + s.dim(), () -> cuda.add(x, out, rows));
        try (KvCache cache = cuda.kvCache(s, 1024, KvType.F16)) {
            Buffer k = randomBuffer(rows, s.kvDim());
            elementwise("storeKv", rows + "x" + s.kvDim() + " -> f16", () -> cuda.storeKv(cache, 0, k, k, rows, 0));
        }
    }

    private void elementwise(String key, String shape, Runnable op) {
        row(key, shape, "", time(key, op), queued(op), "");
    }

    /** Host time per queued op: what bounds a forward pass of small ops (decode) when the GPU is faster. */
    private void hostOverhead() {
        Buffer x = randomBuffer(1, 4096), y = randomBuffer(1, 4096), z = cuda.buffer(1, 4096);
        Weights w = cuda.vector(Reference.gaussian(random, 4096, 1.0));
        Weights m;
        try (Arena arena = Arena.ofConfined()) {
            m = cuda.matrix(GgmlReference.random(GgmlType.BF16, 4096, 4096, random, arena));
        }
        for (String op : List.of("add", "rmsNorm", "matmul")) {
            Runnable call = switch (op) {
                case "add" -> () -> cuda.add(x, y, 1);
                case "rmsNorm" -> () -> cuda.rmsNorm(x, w, 1e-5f, 1, y);
                default -> () -> cuda.matmul(m, y, 1, z);  // decode: one row; rmsNorm wrote y's bf16 copy
            };
            for (int i = 0; i < 20000; i++) call.run();  // JIT warm-up
            cuda.synchronize();
            long t0 = System.nanoTime();
            for (int i = 0; i < 20000; i++) call.run();
            double hostUs = (System.nanoTime() - t0) / 1e3 / 20000;
            cuda.synchronize();
            double wallUs = (System.nanoTime() - t0) / 1e3 / 20000;
            row("host", "1x4096 " + op + (op.equals("matmul") ? " . 4096x4096 bf16" : "") + " x 20000", "queued, JIT warm",
                    Double.NaN, wallUs / 1e3,
                    String.format(Locale.ROOT, "%.1f us host per call, %.1f us wall per call", hostUs, wallUs));
        }
    }

    private void upload() {
        try (Arena arena = Arena.ofConfined()) {
            for (GgmlType type : List.of(GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.F16)) {
                GgufTensor t = GgmlReference.random(type, 14336, 4096, random, arena);
                cuda.setProfiling(true);
                cuda.resetTimings();
                long t0 = System.nanoTime();
                cuda.matrix(t);
                cuda.synchronize();
                double wallMs = (System.nanoTime() - t0) / 1e6;
                double deviceMs = cuda.timings().get("upload").totalMillis();
                cuda.setProfiling(false);
                row("upload", "14336x4096 " + type + " (" + t.byteSize() / (1 << 20) + " MiB raw)", "copy + dequant to bf16",
                        deviceMs, Double.NaN, String.format(Locale.ROOT, "%.1f GB/s raw (wall %.1f ms)", t.byteSize() / deviceMs / 1e6, wallMs));
            }
        }
    }
}
