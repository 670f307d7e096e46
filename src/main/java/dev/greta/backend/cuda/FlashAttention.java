package dev.greta.backend.cuda;

import dev.greta.backend.KvType;
import dev.greta.model.ModelShape;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * FlashAttention-2 style causal attention. Parameters of the spec "flash:q=Q,kv=K,seg=S,mma=M,mt=T":
 * <ul>
 * <li>mma — 1 (default): tensor cores (flash_mma.cu: mma.sync m16n8k16, f16 Q/K/V/P, f32 accumulation and
 * softmax); 0: fp32 SIMT (flash.cu), slower but with fp32 rounding only
 * <li>q — query rows per tile; the tile holds q x groupSize query vectors (with mma: about 64 x mt vectors, see
 * {@link #mmaDefaultRows}; without: 128 / group)
 * <li>kv — keys per streamed K/V tile: 16, 32, 64 or 128 (default 64 with mma, 32 without)
 * <li>mt — with mma: 16-vector query tiles per warp, 1 or 2 (each K/V fragment read from shared memory feeds two
 * MMAs; more registers per thread, and for head dims over 64 Q is read from shared memory at every K tile
 * instead of held in registers). Default 2 where q x group is a multiple of 32, else 1
 * <li>seg — KV tiles per block: a row's keys are split into segments of seg x kv positions, computed by separate
 * blocks and merged in segment order. "auto" (default) splits only when the query tiles alone leave
 * multiprocessors idle, into enough segments for about four blocks per multiprocessor (decode).
 * </ul>
 * Without mma a single-row call (decode) runs a one-row tile instead of q rows of which all but one are empty.
 */
final class FlashAttention extends CudaAttention {
    static final Set<String> PARAMS = Set.of("q", "kv", "seg", "mma", "mt");
    private static final List<Integer> KV_TILES = List.of(16, 32, 64, 128);
    private final boolean tensorCores;
    private final int tileRows;
    private final int tileKeys;
    private final int segTiles;  // 0 = auto
    private final int warpTiles;
    private final CudaDevice device;
    private final CudaKernels kernels;
    private final Scratch partials;

    FlashAttention(CudaBackend owner, ModelShape shape, AttentionSpec spec, CudaDevice device, CudaKernels kernels,
                   Scratch partials) {
        super(owner, shape);
        spec.requireOnly(PARAMS);
        this.device = device;
        this.kernels = kernels;
        this.partials = partials;
        int group = shape.groupSize();
        // Two m-tiles per warp by default (measured faster for head dims 64 and 128; flash_mma.cu keeps Q in
        // shared memory for heads over 64 so that two fit the registers).
        int mtDefault = 2;
        int mtAsked = spec.intParam("mt", 0, 1, 2);  // 0: not given
        int mmaRows = mmaDefaultRows(group, mtAsked > 0 ? mtAsked : mtDefault);
        // Tensor cores by default wherever the shape allows them; an explicit mma=1 on a shape that cannot use them is an error.
        boolean mmaFits = shape.headDim() % 16 == 0 && spec.intParam("q", mmaRows, 1, 256) * group % 16 == 0;
        this.tensorCores = spec.intParam("mma", mmaFits ? 1 : 0, 0, 1) == 1;
        this.tileRows = spec.intParam("q", tensorCores ? mmaRows : Math.max(1, 128 / group), 1, 256);
        this.tileKeys = spec.intParam("kv", tensorCores ? 64 : 32, 16, 128);
        if (!KV_TILES.contains(tileKeys)) {
            throw new IllegalArgumentException("flash parameter kv=" + tileKeys + " must be one of " + KV_TILES);
        }
        this.warpTiles = mtAsked > 0 ? mtAsked
                : tensorCores && mtDefault == 2 && tileRows * group % 32 == 0 ? 2 : 1;
        if (warpTiles > 1 && !tensorCores) throw new IllegalArgumentException("flash parameter mt needs mma=1");
        if (warpTiles > 1 && tileRows * group % (16 * warpTiles) != 0) {
            throw new IllegalArgumentException("flash with mt=" + warpTiles + " needs q x group (" + tileRows + " x "
                    + group + ") to be a multiple of " + 16 * warpTiles);
        }
        String seg = spec.params().getOrDefault("seg", "auto");
        this.segTiles = seg.equals("auto") ? 0 : spec.intParam("seg", 0, 1, 1 << 20);
        int d = shape.headDim();
        if (tensorCores && (d % 16 != 0 || tileRows * group % 16 != 0)) {
            throw new IllegalArgumentException("flash with mma=1 needs a head dimension and q x group (" + tileRows
                    + " x " + group + ") that are multiples of 16 (head dim " + d + "); use other q or mma=0");
        }
        if (d % 4 != 0) throw new IllegalArgumentException("flash needs a head dimension divisible by 4, got " + d);
        long shared = sharedBytes(tileRows);
        if (shared > device.maxSharedPerBlock) {
            throw new IllegalArgumentException(name() + " needs " + shared + " bytes of shared memory per block for "
                    + tileRows * group + " query vectors of head dim " + d + "; " + device.name + " allows "
                    + device.maxSharedPerBlock + " (use a smaller q or kv)");
        }
        threads(tileRows);  // fails early on a tile the SIMT kernel cannot be built for
    }

    /**
     * Query rows per tile for the tensor-core kernel with {@code warpTiles} m-tiles per warp: the tile of
     * q x group query vectors closest to four warps (64 x warpTiles vectors) among the multiples of
     * lcm(group, 16 x warpTiles). Measured on an H200 (docs/PERFORMANCE-cuda.md): with one m-tile, 64-vector tiles
     * beat 128 on Llama-2-7B and Llama-3-8B shapes; with two, 128 beat 64 on TinyLlama and Llama-2-7B shapes.
     */
    static int mmaDefaultRows(int group, int warpTiles) {
        int unit = lcm(group, 16 * warpTiles);
        int tiles = Math.max(1, Math.round(64f * warpTiles / unit));
        return tiles * unit / group;
    }

    /** SIMT threads per block: a multiple of headDim, kv and 32 near one thread per 16 outputs, in [128, 1024]. */
    static int threadsFor(int queryVectors, int headDim, int tileKeys) {
        int unit = lcm(lcm(headDim, tileKeys), 32);
        int target = Math.clamp(queryVectors * headDim / 16, 128, 1024);
        int t = (target + unit - 1) / unit * unit;
        if (t > 1024) {
            throw new IllegalArgumentException("flash: head dim " + headDim + " with kv=" + tileKeys
                    + " needs a block of a multiple of " + unit + " threads, over the limit of 1024");
        }
        return t;
    }

    private static int lcm(int a, int b) {
        int x = a, y = b;
        while (y != 0) {
            int t = x % y;
            x = y;
            y = t;
        }
        return a / x * b;
    }

    @Override
    public String name() {
        return "flash:q=" + tileRows + ",kv=" + tileKeys + ",seg=" + (segTiles == 0 ? "auto" : segTiles)
                + ",mma=" + (tensorCores ? 1 : 0) + (tensorCores ? ",mt=" + warpTiles : "");
    }

    private int threads(int rowsPerTile) {
        int m = rowsPerTile * shape.groupSize();
        if (!tensorCores) return threadsFor(m, shape.headDim(), tileKeys);
        int threads = 2 * m / warpTiles;
        if (threads > 1024) {
            throw new IllegalArgumentException("flash with mma=1 runs a warp per " + 16 * warpTiles + " query vectors: "
                    + m + " need more than 1024 threads (use a smaller q)");
        }
        return threads;
    }

    /** Shared memory of one block; mirrors the layouts at the top of flash.cu and flash_mma.cu. */
    long sharedBytes(int rowsPerTile) {
        long m = (long) rowsPerTile * shape.groupSize(), d = shape.headDim();
        if (tensorCores) {
            // the Q tile and 2 stages of K and V; the stages reuse Q's memory unless Q stays there (see flash_mma.cu)
            boolean qStays = warpTiles == 2 && d > 64;
            return 2L * (qStays ? m + 4L * tileKeys : Math.max(m, 4L * tileKeys)) * (d + 8);
        }
        return 4L * (m * (d + 4) + tileKeys * (d + 4) + tileKeys * d + m * (tileKeys + 4) + 3 * m);
    }

    List<String> defines(int rowsPerTile, KvType kvType) {
        List<String> common = List.of("-DHEAD_DIM=" + shape.headDim(), "-DGROUP=" + shape.groupSize(),
                "-DBQ=" + rowsPerTile, "-DBK=" + tileKeys, "-DKV_F16=" + (kvType == KvType.F16 ? 1 : 0));
        List<String> defines = new ArrayList<>(common);
        if (!tensorCores) defines.add("-DTHREADS=" + threads(rowsPerTile));
        else defines.add("-DMT=" + warpTiles);
        return defines;
    }

    /** Key positions per segment for a launch of {@code rows} query rows over {@code keys} keys. */
    int segmentKeys(int rows, int rowsPerTile, int keys) {
        int tiles = (keys + tileKeys - 1) / tileKeys;
        if (segTiles > 0) return segTiles * tileKeys;
        int blocks = (rows + rowsPerTile - 1) / rowsPerTile * shape.kvHeads();
        if (blocks >= device.multiprocessors) return tiles * tileKeys;
        int segments = Math.min(tiles, (4 * device.multiprocessors + blocks - 1) / blocks);
        return (tiles + segments - 1) / segments * tileKeys;
    }

    @Override
    void run(CudaKvCache cache, int layer, CudaBuffer q, int rows, int startPos, CudaBuffer out) {
        if (tensorCores && (q.cols() % 4 != 0 || out.cols() % 2 != 0)) {  // float4 loads of Q, float2 stores of O
            throw new IllegalArgumentException(name() + " needs query rows of a multiple of 4 columns and output rows of"
                    + " a multiple of 2, got " + q + " -> " + out);
        }
        int rowsPerTile = !tensorCores && rows == 1 ? 1 : tileRows;
        Kernel kernel = kernels.flash(tensorCores ? KernelSources.FLASH_MMA : KernelSources.FLASH,
                defines(rowsPerTile, cache.type()));
        int keys = startPos + rows;
        int segKeys = segmentKeys(rows, rowsPerTile, keys);
        int segments = (keys + segKeys - 1) / segKeys;
        int heads = shape.heads(), d = shape.headDim();
        long partO = 0, partMax = 0, partSum = 0;
        if (segments > 1) {
            long stats = (long) segments * rows * heads;
            partO = partials.ensure(4L * stats * (d + 2));
            partMax = partO + 4L * stats * d;
            partSum = partMax + 4L * stats;
        }
        kernel.launch((rows + rowsPerTile - 1) / rowsPerTile, shape.kvHeads(), segments, threads(rowsPerTile),
                (int) sharedBytes(rowsPerTile), device.args()
                        .ptr(q.pointer()).i32(q.cols())
                        .ptr(cache.keys(layer)).ptr(cache.values(layer)).i32(cache.maxSeq())
                        .i32(rows).i32(heads).i32(startPos).i32(segKeys).f32(scale())
                        .ptr(out.pointer()).i32(out.cols())
                        .ptr(partO).ptr(partMax).ptr(partSum).i32(segments > 1 ? 1 : 0));
        if (segments > 1) {
            kernels.combine.launch(rows, heads, 1, Math.min(128, (d + 31) / 32 * 32), 0, device.args()
                    .ptr(partO).ptr(partMax).ptr(partSum).i32(rows).i32(heads).i32(d).i32(startPos).i32(segKeys)
                    .ptr(out.pointer()).i32(out.cols()));
        }
    }
}
