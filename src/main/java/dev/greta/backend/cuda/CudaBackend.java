package dev.greta.backend.cuda;

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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The Llama forward-pass ops on an NVIDIA GPU through FFM: CUDA driver API, NVRTC-compiled kernels and cuBLAS.
 *
 * <p>Weights are uploaded once (raw GGUF bytes, dequantised on the GPU to bf16, or f32 with
 * {@link WeightPrecision#F32}); norm vectors are f32. Activations and the KV cache stay on the device; only token
 * ids go in ({@link #embed}) and single rows come out ({@link #readRow}). Every op is queued on one stream, so
 * ops run in call order and only {@link #readRow} waits. GEMMs are cublasGemmEx (bf16 x bf16, fp32 accumulation,
 * fp32 output; activations rounded to bf16 first). All reductions in Greta's kernels run in a fixed order and
 * cuBLAS is bit-reproducible on one stream, so every op is deterministic.
 *
 * <p>Not thread-safe: drive it from one thread at a time. Buffers and weights live until {@link #close()}.
 */
public final class CudaBackend implements Backend {
    private static final int ELEMENTWISE_THREADS = 256;
    private final CudaOptions options;
    private final CudaLibraries libraries;
    private final CudaDevice device;
    private final Nvrtc nvrtc;
    private final CudaKernels kernels;
    private final Cublas cublas;
    private final WeightUploader uploader;
    private final EventTimer timer;
    private final Scratch attentionPartials;
    private final Scratch tokenIds;
    private final Map<GgufTensor, CudaWeights> matrices = new IdentityHashMap<>();  // the same tensor object: uploaded once
    private final Map<Rope, DeviceMemory> ropeFrequencies = new HashMap<>();
    private final Map<String, String> properties;
    private final MemorySegment tokensCopied;
    private final MemorySegment clockStart;
    private final MemorySegment clockEnd;
    private MemorySegment pinnedTokens;
    private MemorySegment pinnedRow;
    private boolean closed;

    private CudaBackend(CudaOptions options, CudaLibraries libraries, CudaDevice device, Nvrtc nvrtc,
                        CudaKernels kernels, Cublas cublas) {
        this.options = options;
        this.libraries = libraries;
        this.device = device;
        this.nvrtc = nvrtc;
        this.kernels = kernels;
        this.cublas = cublas;
        this.uploader = new WeightUploader(device, kernels);
        this.timer = new EventTimer(device, options.profile());
        this.attentionPartials = new Scratch(device, "attention partials");
        this.tokenIds = new Scratch(device, "token ids");
        this.tokensCopied = device.driver.createEvent(CudaDriver.CU_EVENT_DISABLE_TIMING);
        this.clockStart = device.driver.createEvent(CudaDriver.CU_EVENT_DEFAULT);
        this.clockEnd = device.driver.createEvent(CudaDriver.CU_EVENT_DEFAULT);
        this.properties = describe();
    }

    /** Opens GPU 0 with the default options. */
    public static CudaBackend open() {
        return open(CudaOptions.defaults());
    }

    /**
     * Loads the CUDA libraries, opens the GPU and compiles (or loads from the cache) the kernels.
     *
     * @throws CudaUnavailableException when there is no driver, library or suitable GPU, saying which
     */
    public static CudaBackend open(CudaOptions options) {
        CudaLibraries libraries = CudaLibraries.locate(options.libraryDir());
        CudaDevice device = CudaDevice.open(new CudaDriver(libraries.driver()), options.device());
        CudaKernels kernels = null;
        try {
            Nvrtc nvrtc = new Nvrtc(libraries.nvrtc());
            kernels = new CudaKernels(device, new ModuleCache(nvrtc, device.arch(), options.moduleCacheDir()));
            Cublas cublas = new Cublas(libraries.cublas(), device.stream());
            return new CudaBackend(options, libraries, device, nvrtc, kernels, cublas);
        } catch (RuntimeException e) {
            if (kernels != null) kernels.close();
            device.close();
            throw e;
        }
    }

    @Override
    public String name() { return "cuda"; }

    @Override
    public Map<String, String> properties() { return properties; }

    /** Host threads driving the GPU: one. */
    @Override
    public int threads() { return 1; }

    private Map<String, String> describe() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("gpu", device.name);
        p.put("compute_capability", device.computeMajor + "." + device.computeMinor);
        p.put("multiprocessors", Integer.toString(device.multiprocessors));
        p.put("gpu_memory_gib", String.format(Locale.ROOT, "%.1f", device.totalMemory / (double) (1L << 30)));
        p.put("driver_version", Nvml.driverVersion(options.libraryDir()));
        p.put("cuda_driver_api", device.driverApiVersion / 1000 + "." + device.driverApiVersion % 1000 / 10);
        p.put("cuda_runtime", cublas.cudartVersion() / 1000 + "." + cublas.cudartVersion() % 1000 / 10
                + " (cuBLAS's)");
        p.put("nvrtc", nvrtc.version());
        p.put("cublas", cublas.version());
        p.put("kernel_arch", device.arch());
        p.put("weights", options.weightPrecision().name().toLowerCase(Locale.ROOT)
                + " (GGUF blocks dequantised on the GPU)");
        p.put("gemm", "cublasGemmEx " + (options.weightPrecision() == WeightPrecision.BF16
                ? "bf16 x bf16 -> f32" : "f32 x f32 -> f32") + ", CUBLAS_COMPUTE_32F");
        p.put("libraries", libraries.driver().location() + ", " + libraries.nvrtc().location() + ", "
                + libraries.cublas().location());
        return Map.copyOf(p);
    }

    /** Turns per-op device timing on or off (see {@link #timings()}). */
    public void setProfiling(boolean on) {
        timer.enable(on);
    }

    /**
     * Accumulated device time per op since the last {@link #resetTimings()}, measured with CUDA events around
     * each op's kernels ("matmul.gemm", "attend.flash:q=16,kv=32,seg=auto", ...). Waits for queued work.
     */
    public Map<String, OpTiming> timings() {
        device.bind();
        return timer.snapshot();
    }

    public void resetTimings() {
        device.bind();
        timer.reset();
    }

    @Override
    public void startDeviceClock() {
        ready();
        device.driver.record(clockStart, device.stream());
    }

    @Override
    public OptionalDouble deviceSeconds() {
        ready();
        device.driver.record(clockEnd, device.stream());
        device.driver.synchronizeEvent(clockEnd);
        return OptionalDouble.of(device.driver.elapsedMillis(clockStart, clockEnd) / 1000.0);
    }

    @Override
    public void profileOps(boolean on) {
        resetTimings();
        setProfiling(on);
    }

    @Override
    public Map<String, OpTiming> opProfile() { return timings(); }

    /** Kernel compilation so far: how many were compiled and how many came from the disk cache. */
    public String kernelCacheSummary() { return kernels.cacheSummary(); }

    @Override
    public Weights matrix(GgufTensor tensor) {
        ready();
        CudaWeights cached = matrices.get(tensor);
        if (cached != null) return cached;
        int[] shape = WeightUploader.matrixShape(tensor);
        WeightPrecision precision = options.weightPrecision();
        DeviceMemory memory = device.allocate((long) shape[0] * shape[1] * precision.bytesPerElement());
        MemorySegment t = timer.start();
        uploader.upload(tensor, memory, precision);
        timer.stop("upload", t);
        CudaWeights weights = new CudaWeights(this, memory, precision, tensor.type(), shape[0], shape[1]);
        matrices.put(tensor, weights);
        return weights;
    }

    @Override
    public Weights vector(float[] values) {
        ready();
        if (values.length == 0) throw new IllegalArgumentException("empty weight vector");
        DeviceMemory memory = device.allocate(4L * values.length);
        uploadFloats(memory.pointer(), values);
        return new CudaWeights(this, memory, WeightPrecision.F32, null, 1, values.length);
    }

    @Override
    public Buffer buffer(int rows, int cols) {
        ready();
        if (rows <= 0 || cols <= 0) throw new IllegalArgumentException("buffer of " + rows + " x " + cols);
        return new CudaBuffer(this, device.allocate(4L * rows * cols), rows, cols);
    }

    @Override
    public KvCache kvCache(ModelShape shape, int maxSeq, KvType type) {
        ready();
        if (maxSeq <= 0) throw new IllegalArgumentException("KV cache of " + maxSeq + " positions");
        return new CudaKvCache(this, device, shape, maxSeq, type);
    }

    @Override
    public Attention attention(String spec, ModelShape shape, boolean deterministic) {
        ready();
        if (shape.heads() % shape.kvHeads() != 0) {
            throw new IllegalArgumentException(shape.heads() + " query heads do not share " + shape.kvHeads()
                    + " KV heads evenly");
        }
        // Both kernels are deterministic by construction, so the flag needs no different kernel.
        checkAttention(spec);
        AttentionSpec parsed = AttentionSpec.parse(spec);
        if (parsed.kind().equals("naive")) return new NaiveAttention(this, shape, device, kernels);
        return new FlashAttention(this, shape, parsed, device, kernels, attentionPartials);
    }

    /**
     * Refuses an attention spec whose kernel or parameter names {@link #attention} would refuse, without a GPU
     * (so a sweep can check its variants before running any); values that depend on the model are checked there.
     */
    public static void checkAttention(String spec) {
        AttentionSpec parsed = AttentionSpec.parse(spec);
        parsed.requireOnly(parsed.kind().equals("naive") ? java.util.Set.of() : FlashAttention.PARAMS);
    }

    @Override
    public void embed(Weights table, int[] tokens, int from, int count, Buffer out) {
        ready();
        CudaWeights t = own(table);
        CudaBuffer o = own(out);
        if (t.isVector()) throw new IllegalArgumentException("embed needs a matrix, got " + t);
        if (from < 0 || count < 0 || from + count > tokens.length) {
            throw new IllegalArgumentException("tokens [" + from + ", " + (from + count) + ") of " + tokens.length);
        }
        requireRows("embed", count, o);
        if (o.cols() < t.cols()) throw new IllegalArgumentException("embed: " + o + " narrower than " + t);
        for (int i = from; i < from + count; i++) {
            if (tokens[i] < 0 || tokens[i] >= t.rows()) {
                throw new IllegalArgumentException("token id " + tokens[i] + " at index " + i
                        + " is outside the vocabulary of " + t.rows());
            }
        }
        if (count == 0) return;
        MemorySegment timing = timer.start();
        device.driver.synchronizeEvent(tokensCopied);  // the previous copy out of the pinned buffer is done
        pinnedTokens = ensurePinned(pinnedTokens, 4L * count);
        MemorySegment.copy(tokens, from, pinnedTokens, JAVA_INT, 0, count);
        long ids = tokenIds.ensure(4L * count);
        device.upload(ids, pinnedTokens, 4L * count);
        device.driver.record(tokensCopied, device.stream());
        Kernel kernel = t.precision == WeightPrecision.BF16 ? kernels.embedBf16 : kernels.embedF32;
        kernel.launch(blocks(t.cols()), count, 1, ELEMENTWISE_THREADS, 0,
                device.args().ptr(t.pointer()).ptr(ids).i32(t.cols()).ptr(o.pointer()).i32(o.cols()));
        o.written();
        timer.stop("embed", timing);
    }

    @Override
    public void rmsNorm(Buffer x, Weights weight, float eps, int rows, Buffer out) {
        ready();
        CudaBuffer in = own(x), o = own(out);
        CudaWeights w = own(weight);
        if (!w.isVector()) throw new IllegalArgumentException("rmsNorm needs a weight vector, got " + w);
        requireRows("rmsNorm", rows, in, o);
        if (in.cols() < w.cols() || o.cols() < w.cols()) {
            throw new IllegalArgumentException("rmsNorm over " + w.cols() + " columns: " + in + " -> " + o);
        }
        if (rows == 0) return;
        MemorySegment timing = timer.start();
        // Its output feeds bf16 GEMMs next: write their bf16 input in the same pass (bf16 weights only).
        long bf16 = options.weightPrecision() == WeightPrecision.BF16 ? o.bf16Pointer(device) : 0;
        // whole float4 rows: about two float4 per thread; else one float per thread up to 1024
        boolean vector = w.cols() % 4 == 0 && in.cols() % 4 == 0 && o.cols() % 4 == 0;
        int threads = vector ? Math.clamp((w.cols() / 8 + 31) / 32 * 32, 64, 1024) : w.cols() >= 1024 ? 1024 : 256;
        kernels.rmsNorm.launch(rows, 1, 1, threads, 0, device.args()
                .ptr(in.pointer()).i32(in.cols()).ptr(w.pointer()).i32(w.cols()).f32(eps)
                .ptr(o.pointer()).i32(o.cols()).ptr(bf16));
        o.written();
        if (bf16 != 0) o.bf16Written(rows, w.cols());
        timer.stop("rmsNorm", timing);
    }

    @Override
    public void matmul(Weights w, Buffer x, int rows, Buffer out) {
        gemm(w, x, rows, out, false);
    }

    @Override
    public void matmulAdd(Weights w, Buffer x, int rows, Buffer out) {
        gemm(w, x, rows, out, true);
    }

    /** out = x · Wᵀ, or out += x · Wᵀ with {@code accumulate} (cuBLAS beta = 1: the add costs no extra pass). */
    private void gemm(Weights w, Buffer x, int rows, Buffer out, boolean accumulate) {
        ready();
        CudaWeights m = own(w);
        CudaBuffer in = own(x), o = own(out);
        String op = accumulate ? "matmulAdd" : "matmul";
        if (m.isVector()) throw new IllegalArgumentException(op + " needs a matrix, got " + m);
        if (in == o) throw new IllegalArgumentException(op + " cannot write its input " + in);
        requireRows(op, rows, in, o);
        if (in.cols() < m.cols() || o.cols() < m.rows()) {
            throw new IllegalArgumentException(op + " " + m + ": input " + in + ", output " + o);
        }
        if (rows == 0) return;
        if (m.precision == WeightPrecision.BF16) {
            long input = in.bf16Pointer(device);
            if (!in.hasBf16(rows, m.cols())) {
                long elements = (long) rows * m.cols();
                MemorySegment timing = timer.start();
                kernels.toBf16.launch(blocks(elements), 1, 1, ELEMENTWISE_THREADS, 0, device.args()
                        .ptr(in.pointer()).i32(in.cols()).ptr(input).i32(m.cols()).i64(elements));
                in.bf16Written(rows, m.cols());
                timer.stop("matmul.toBf16", timing);
            }
            MemorySegment timing = timer.start();
            cublas.gemm(m.rows(), rows, m.cols(), m.pointer(), Cublas.CUDA_R_16BF, m.cols(), input,
                    Cublas.CUDA_R_16BF, m.cols(), o.pointer(), o.cols(), accumulate);
            o.written();
            timer.stop("matmul.gemm", timing);
        } else {
            MemorySegment timing = timer.start();
            cublas.gemm(m.rows(), rows, m.cols(), m.pointer(), Cublas.CUDA_R_32F, m.cols(), in.pointer(),
                    Cublas.CUDA_R_32F, in.cols(), o.pointer(), o.cols(), accumulate);
            o.written();
            timer.stop("matmul.gemm", timing);
        }
    }

    @Override
    public void rope(Buffer x, int rows, int heads, int startPos, Rope rope) {
        ready();
        CudaBuffer b = own(x);
        requireRows("rope", rows, b);
        int pairs = rope.ropeDims() / 2;
        if (rope.ropeDims() % 2 != 0 || rope.ropeDims() > rope.headDim() || rope.inverseFrequencies().length < pairs) {
            throw new IllegalArgumentException("rope: " + rope.ropeDims() + " rotated dims of head dim "
                    + rope.headDim() + " with " + rope.inverseFrequencies().length + " frequencies");
        }
        if (heads <= 0 || (long) heads * rope.headDim() > b.cols() || startPos < 0) {
            throw new IllegalArgumentException("rope: " + heads + " heads of " + rope.headDim() + " in " + b
                    + " at position " + startPos);
        }
        if (rows == 0) return;
        DeviceMemory freqs = ropeFrequencies.get(rope);
        if (freqs == null) {
            freqs = device.allocate(4L * pairs);
            uploadFloats(freqs.pointer(), java.util.Arrays.copyOf(rope.inverseFrequencies(), pairs));
            ropeFrequencies.put(rope, freqs);
        }
        MemorySegment timing = timer.start();
        // a block per row, several heads at once: each thread's sine and cosine serve every head it rotates
        int threads = pairs * Math.clamp(256 / pairs, 1, heads);
        kernels.rope.launch(rows, 1, 1, threads, 0, device.args().ptr(b.pointer()).i32(b.cols())
                .i32(rope.headDim()).i32(pairs).ptr(freqs.pointer()).i32(startPos).i32(heads));
        b.written();
        timer.stop("rope", timing);
    }

    @Override
    public void storeKv(KvCache cache, int layer, Buffer k, Buffer v, int rows, int startPos) {
        ready();
        CudaKvCache c = own(cache);
        CudaBuffer kb = own(k), vb = own(v);
        ModelShape s = c.shape;
        requireRows("storeKv", rows, kb, vb);
        requireLayer(c, layer);
        requirePositions(c, rows, startPos);
        if (kb.cols() < s.kvDim() || vb.cols() < s.kvDim()) {
            throw new IllegalArgumentException("storeKv of " + s.kvDim() + " columns from " + kb + ", " + vb);
        }
        if (s.headDim() % 4 != 0 || kb.cols() % 4 != 0 || vb.cols() % 4 != 0) {  // the kernel moves 4 floats at once
            throw new IllegalArgumentException("storeKv needs a head dim and row strides divisible by 4: head dim "
                    + s.headDim() + ", " + kb + ", " + vb);
        }
        if (rows == 0) return;
        MemorySegment timing = timer.start();
        Kernel kernel = c.type() == KvType.F16 ? kernels.kvStoreF16 : kernels.kvStoreF32;
        kernel.launch(blocks((long) rows * s.kvDim() / 4), 2, 1, ELEMENTWISE_THREADS, 0, device.args()
                .ptr(kb.pointer()).i32(kb.cols()).ptr(vb.pointer()).i32(vb.cols())
                .ptr(c.keys(layer)).ptr(c.values(layer)).i32(rows).i32(s.kvDim()).i32(s.headDim())
                .i32(c.maxSeq()).i32(startPos));
        timer.stop("storeKv", timing);
    }

    @Override
    public void attend(Attention kernel, KvCache cache, int layer, Buffer q, int rows, int startPos, Buffer out) {
        ready();
        if (!(kernel instanceof CudaAttention a) || a.owner != this) {
            throw new IllegalArgumentException("attention kernel " + kernel + " was not made by this cuda backend");
        }
        CudaKvCache c = own(cache);
        CudaBuffer qb = own(q), o = own(out);
        ModelShape s = a.shape;
        if (s.kvHeads() != c.shape.kvHeads() || s.headDim() != c.shape.headDim()) {
            throw new IllegalArgumentException("attention for " + s + " used with a cache for " + c.shape);
        }
        if (qb == o) throw new IllegalArgumentException("attend cannot write its query buffer " + qb);
        requireRows("attend", rows, qb, o);
        requireLayer(c, layer);
        requirePositions(c, rows, startPos);
        if (qb.cols() < s.qDim() || o.cols() < s.qDim()) {
            throw new IllegalArgumentException("attend over " + s.qDim() + " columns: " + qb + " -> " + o);
        }
        if (rows == 0) return;
        MemorySegment timing = timer.start();
        // Its output feeds the output projection's bf16 GEMM: flash writes that input too where it can.
        boolean gemmInput = options.weightPrecision() == WeightPrecision.BF16 && o.cols() == s.qDim();
        long bf16 = gemmInput ? o.bf16Pointer(device) : 0;
        boolean wroteBf16 = a.run(c, layer, qb, rows, startPos, o, bf16);
        o.written();
        if (wroteBf16) o.bf16Written(rows, o.cols());
        if (timing != null) timer.stop("attend." + a.name(), timing);  // the name is built only when timed
    }

    @Override
    public void swiglu(Buffer gate, Buffer up, int rows) {
        inPlaceBinary("swiglu", kernels.swiglu, gate, up, rows, true, 4);
    }

    @Override
    public void add(Buffer x, Buffer y, int rows) {
        inPlaceBinary("add", kernels.add, x, y, rows, false, 1);
    }

    /**
     * x = op(x, y) element by element over the first {@code rows} rows, {@code perThread} elements per kernel
     * thread; with {@code bf16Copy} (an op whose result feeds a GEMM) the kernel also writes x's bf16 copy, when
     * the weights are bf16.
     */
    private void inPlaceBinary(String op, Kernel kernel, Buffer x, Buffer y, int rows, boolean bf16Copy, int perThread) {
        ready();
        CudaBuffer a = own(x), b = own(y);
        requireRows(op, rows, a, b);
        requireSameCols(op, a, b);
        if (rows == 0) return;
        long n = (long) rows * a.cols();
        MemorySegment timing = timer.start();
        LaunchArgs args = device.args().ptr(a.pointer()).ptr(b.pointer()).i64(n);
        long bf16 = bf16Copy && options.weightPrecision() == WeightPrecision.BF16 ? a.bf16Pointer(device) : 0;
        if (bf16Copy) args.ptr(bf16);
        kernel.launch(blocks((n + perThread - 1) / perThread), 1, 1, ELEMENTWISE_THREADS, 0, args);
        a.written();
        if (bf16 != 0) a.bf16Written(rows, a.cols());
        timer.stop(op, timing);
    }

    @Override
    public void copyRow(Buffer src, int srcRow, Buffer dst, int dstRow) {
        ready();
        CudaBuffer s = own(src), d = own(dst);
        requireSameCols("copyRow", s, d);
        requireRow(s, srcRow);
        requireRow(d, dstRow);
        if (s == d && srcRow == dstRow) return;
        MemorySegment timing = timer.start();
        device.copy(d.rowPointer(dstRow), s.rowPointer(srcRow), 4L * s.cols());
        d.written();
        timer.stop("copyRow", timing);
    }

    @Override
    public float[] readRow(Buffer x, int row) {
        ready();
        CudaBuffer b = own(x);
        requireRow(b, row);
        pinnedRow = ensurePinned(pinnedRow, 4L * b.cols());
        MemorySegment timing = timer.start();
        device.download(pinnedRow, b.rowPointer(row), 4L * b.cols());
        timer.stop("readRow", timing);
        device.synchronize();
        return pinnedRow.asSlice(0, 4L * b.cols()).toArray(JAVA_FLOAT);
    }

    /** Copies {@code values} (rows x cols, row-major) into a buffer; tests and tools use it to set activations. */
    void write(Buffer x, float[] values) {
        ready();
        CudaBuffer b = own(x);
        if (values.length != b.rows() * b.cols()) {
            throw new IllegalArgumentException(values.length + " values for " + b);
        }
        uploadFloats(b.pointer(), values);
        b.written();
    }

    /** Reads weights back as floats (widening bf16), for checking uploads. */
    float[] read(Weights weights) {
        ready();
        CudaWeights w = own(weights);
        int n = w.rows() * w.cols();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate((long) n * w.precision.bytesPerElement(), 4);
            device.download(host, w.pointer(), host.byteSize());
            device.synchronize();
            if (w.precision == WeightPrecision.F32) return host.toArray(JAVA_FLOAT);
            float[] out = new float[n];
            for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((host.getAtIndex(JAVA_SHORT, i) & 0xffff) << 16);
            return out;
        }
    }

    /** Waits until all queued work is done (for timing from the host). */
    void synchronize() {
        device.bind();
        device.synchronize();
    }

    CudaDevice device() { return device; }

    private void uploadFloats(long dst, float[] values) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocateFrom(JAVA_FLOAT, values);
            device.upload(dst, host, host.byteSize());
            device.synchronize();  // the host copy is freed when this method returns
        }
    }

    private MemorySegment ensurePinned(MemorySegment current, long bytes) {
        if (current != null && current.byteSize() >= bytes) return current;
        if (current != null) {
            device.synchronize();
            device.driver.freeHost(current);
        }
        return device.driver.mallocHost(Math.max(bytes, 4096));
    }

    private void ready() {
        if (closed) throw new IllegalStateException("the cuda backend is closed");
        device.bind();
    }

    private CudaBuffer own(Buffer b) {
        if (b instanceof CudaBuffer cb && cb.owner == this) return cb;
        throw new IllegalArgumentException("buffer " + b + " does not belong to this cuda backend");
    }

    private CudaWeights own(Weights w) {
        if (w instanceof CudaWeights cw && cw.owner == this) return cw;
        throw new IllegalArgumentException("weights " + w + " do not belong to this cuda backend");
    }

    private CudaKvCache own(KvCache c) {
        if (c instanceof CudaKvCache cc && cc.owner == this) return cc;
        throw new IllegalArgumentException("KV cache " + c + " does not belong to this cuda backend");
    }

    private static void requireRows(String op, int rows, CudaBuffer... buffers) {
        for (CudaBuffer b : buffers) {
            if (rows < 0 || rows > b.rows()) {
                throw new IllegalArgumentException(op + " of " + rows + " rows on " + b);
            }
        }
    }

    private static void requireRow(CudaBuffer b, int row) {
        if (row < 0 || row >= b.rows()) throw new IllegalArgumentException("row " + row + " of " + b);
    }

    private static void requireSameCols(String op, CudaBuffer a, CudaBuffer b) {
        if (a.cols() != b.cols()) throw new IllegalArgumentException(op + " of " + a + " and " + b);
    }

    private static void requireLayer(CudaKvCache c, int layer) {
        if (layer < 0 || layer >= c.shape.layers()) {
            throw new IllegalArgumentException("layer " + layer + " of a " + c.shape.layers() + "-layer KV cache");
        }
    }

    private static void requirePositions(CudaKvCache c, int rows, int startPos) {
        if (startPos < 0 || (long) startPos + rows > c.maxSeq()) {
            throw new IllegalArgumentException("positions [" + startPos + ", " + ((long) startPos + rows)
                    + ") beyond the KV cache's " + c.maxSeq());
        }
    }

    private static int blocks(long elements) {
        long b = (elements + ELEMENTWISE_THREADS - 1) / ELEMENTWISE_THREADS;
        if (b > Integer.MAX_VALUE) throw new IllegalArgumentException(elements + " elements in one launch");
        return (int) Math.max(1, b);
    }

    @Override
    public void close() {
        if (closed) return;
        device.bind();
        device.synchronize();
        closed = true;
        List<RuntimeException> failures = new ArrayList<>();
        runAll(failures, timer::close, cublas::close, kernels::close,
                () -> device.driver.destroyEvent(tokensCopied),
                () -> device.driver.destroyEvent(clockStart), () -> device.driver.destroyEvent(clockEnd),
                () -> { if (pinnedTokens != null) device.driver.freeHost(pinnedTokens); },
                () -> { if (pinnedRow != null) device.driver.freeHost(pinnedRow); },
                device::close);
        if (!failures.isEmpty()) {
            RuntimeException first = failures.getFirst();
            failures.stream().skip(1).forEach(first::addSuppressed);
            throw first;
        }
    }

    private static void runAll(List<RuntimeException> failures, Runnable... steps) {
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
    }
}
