package dev.greta.backend.cuda;

import dev.greta.backend.KvType;
import dev.greta.model.ModelShape;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * FlashAttention-2 style causal attention. Parameters of the spec "flash:q=Q,kv=K,seg=S,mma=M,mt=T":
 * <ul>
 * <li>mma — 2: Hopper warpgroup tensor cores (flash_wgmma.cu: wgmma, sm_90 only, head dims 64 and 128); 1: tensor
 * cores through mma.sync m16n8k16 (flash_mma.cu); both with f16 Q/K/V/P, f32 accumulation and softmax; 0: fp32
 * SIMT (flash.cu), slower but with fp32 rounding only. Default: the first of 2, 1, 0 the device and shape allow
 * <li>q — query rows per tile; the tile holds q x groupSize query vectors (mma=2: whole warpgroups of 64 vectors,
 * see {@link #wgmmaDefaultRows}; mma=1: about 64 x mt vectors, see {@link #mmaDefaultRows}; mma=0: 128 / group)
 * <li>kv — keys per streamed K/V tile: 16, 32, 64 or 128 (mma=2: 64 or 128, default the head dim; mma=1: default
 * 64; mma=0: default 32)
 * <li>mt — with mma: 16-vector query tiles per warp, 1 or 2 (each K/V fragment read from shared memory feeds two
 * MMAs; more registers per thread, and for head dims over 64 Q is read from shared memory at every K tile
 * instead of held in registers). Default 2 where q x group is a multiple of 32, else 1
 * <li>seg — KV tiles per block: a row's keys are split into segments of seg x kv positions, computed by separate
 * blocks and merged in segment order. "auto" (default) splits only when the query tiles alone leave
 * multiprocessors idle, into enough segments for about four blocks per multiprocessor (decode).
 * </ul>
 * A launch of fewer rows than q (decode) runs a smaller tile (see {@link #rowsPerTile}).
 */
final class FlashAttention extends CudaAttention {
    static final Set<String> PARAMS = Set.of("q", "kv", "seg", "mma", "mt");
    private static final List<Integer> KV_TILES = List.of(16, 32, 64, 128);
    private final int mma;  // 0: SIMT (flash.cu), 1: mma.sync (flash_mma.cu), 2: wgmma (flash_wgmma.cu)
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
        int group = shape.groupSize(), d = shape.headDim();
        // Two m-tiles per warp by default (measured faster for head dims 64 and 128; flash_mma.cu keeps Q in
        // shared memory for heads over 64 so that two fit the registers).
        int mtDefault = 2;
        int mtAsked = spec.intParam("mt", 0, 1, 2);  // 0: not given
        int mmaRows = mmaDefaultRows(group, mtAsked > 0 ? mtAsked : mtDefault);
        // The fastest kernel the device and shape allow by default; an explicit mma the shape cannot use is an error.
        int wgmmaVectors = spec.intParam("q", wgmmaDefaultRows(group, d), 1, 256) * group;
        int wgmmaKeys = spec.intParam("kv", d, 16, 128);
        boolean wgmmaFits = device.hasWgmma() && (d == 64 || d == 128) && mtAsked == 0 && wgmmaVectors % 64 == 0
                && wgmmaVectors <= 512 && (wgmmaKeys == 64 || wgmmaKeys == 128)
                && wgmmaRegisters(wgmmaVectors, d, wgmmaKeys) <= registersPerThread(2 * wgmmaVectors);
        boolean mmaFits = d % 16 == 0 && spec.intParam("q", mmaRows, 1, 256) * group % 16 == 0;
        this.mma = spec.intParam("mma", wgmmaFits ? 2 : mmaFits ? 1 : 0, 0, 2);
        if (mma == 2) requireWgmma(device, d, mtAsked);
        int defaultRows = switch (mma) {
            case 2 -> wgmmaDefaultRows(group, d);
            case 1 -> mmaRows;
            default -> Math.max(1, 128 / group);
        };
        this.tileRows = spec.intParam("q", defaultRows, 1, 256);
        // wgmma: 64-key tiles for head dim 64, 128 for 128 (measured on an H200, docs/PERFORMANCE-cuda.md)
        this.tileKeys = spec.intParam("kv", mma == 2 ? d : mma == 1 ? 64 : 32, 16, 128);
        if (!KV_TILES.contains(tileKeys) || mma == 2 && tileKeys < 64) {
            throw new IllegalArgumentException("flash parameter kv=" + tileKeys + " must be one of "
                    + (mma == 2 ? KV_TILES.subList(2, 4) + " with mma=2" : KV_TILES));
        }
        this.warpTiles = mtAsked > 0 ? mtAsked : mma == 1 && mtDefault == 2 && tileRows * group % 32 == 0 ? 2 : 1;
        if (warpTiles > 1 && mma != 1) throw new IllegalArgumentException("flash parameter mt needs mma=1");
        if (warpTiles > 1 && tileRows * group % (16 * warpTiles) != 0) {
            throw new IllegalArgumentException("flash with mt=" + warpTiles + " needs q x group (" + tileRows + " x "
                    + group + ") to be a multiple of " + 16 * warpTiles);
        }
        String seg = spec.params().getOrDefault("seg", "auto");
        this.segTiles = seg.equals("auto") ? 0 : spec.intParam("seg", 0, 1, 1 << 20);
        if (mma == 1 && (d % 16 != 0 || tileRows * group % 16 != 0)) {
            throw new IllegalArgumentException("flash with mma=1 needs a head dimension and q x group (" + tileRows
                    + " x " + group + ") that are multiples of 16 (head dim " + d + "); use other q or mma=0");
        }
        if (mma == 2 && tileRows * group % 64 != 0) {
            throw new IllegalArgumentException("flash with mma=2 runs a warpgroup per 64 query vectors: q x group ("
                    + tileRows + " x " + group + ") must be a multiple of 64");
        }
        if (d % 4 != 0) throw new IllegalArgumentException("flash needs a head dimension divisible by 4, got " + d);
        long shared = sharedBytes(tileRows);
        if (shared > device.maxSharedPerBlock) {
            throw new IllegalArgumentException(name() + " needs " + shared + " bytes of shared memory per block for "
                    + tileRows * group + " query vectors of head dim " + d + "; " + device.name + " allows "
                    + device.maxSharedPerBlock + " (use a smaller q or kv)");
        }
        threads(tileRows);  // fails early on a tile the kernel cannot be built for
        int vectors = tileRows * group, threads = threads(tileRows);
        if (mma == 2 && wgmmaRegisters(vectors, d, tileKeys) > registersPerThread(threads)) {
            throw new IllegalArgumentException("flash with mma=2: " + threads + " threads leave "
                    + registersPerThread(threads) + " registers per thread, fewer than the "
                    + wgmmaRegisters(vectors, d, tileKeys) + " that hold the scores, output and probabilities of kv="
                    + tileKeys + " (use a smaller q or kv)");
        }
    }

    /**
     * Registers per thread that the wgmma kernel's accumulators and operands take for a tile of {@code vectors}
     * query vectors: S, O, P, and Q unless it stays in shared memory (tiles of more than two warpgroups).
     */
    static int wgmmaRegisters(int vectors, int headDim, int tileKeys) {
        return tileKeys / 2 + headDim / 2 + tileKeys / 4 + (vectors > 128 ? 0 : headDim / 4);
    }

    private static int registersPerThread(int threads) {
        return Math.min(255, 65536 / threads);
    }

    private static void requireWgmma(CudaDevice device, int headDim, int mtAsked) {
        if (!device.hasWgmma()) {
            throw new IllegalArgumentException("flash with mma=2 (wgmma) needs a Hopper GPU (compute capability 9.0); "
                    + device.name + " is " + device.arch() + ": use mma=1");
        }
        if (headDim != 64 && headDim != 128) {
            throw new IllegalArgumentException("flash with mma=2 supports head dims 64 and 128, got " + headDim
                    + ": use mma=1");
        }
        if (mtAsked > 0) throw new IllegalArgumentException("flash parameter mt needs mma=1");
    }

    /**
     * Query rows per tile for the wgmma kernel: the fewest rows whose q x group vectors fill whole warpgroups of 64,
     * and where that is a single warpgroup, two for head dim 64 and three for 128 (measured fastest on TinyLlama and
     * Llama-2-7B shapes, H200; the larger head keeps one block per multiprocessor, which a third warpgroup fills).
     */
    static int wgmmaDefaultRows(int group, int headDim) {
        int unit = lcm(group, 64);
        return (unit > 64 ? unit : headDim > 64 ? 192 : 128) / group;
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
                + ",mma=" + mma + (mma == 1 ? ",mt=" + warpTiles : "");
    }

    private int threads(int rowsPerTile) {
        int m = rowsPerTile * shape.groupSize();
        if (mma == 0) return threadsFor(m, shape.headDim(), tileKeys);
        int threads = 2 * m / warpTiles;
        if (threads > 1024) {
            throw new IllegalArgumentException("flash with mma=" + mma + " runs a warp per " + 16 * warpTiles
                    + " query vectors: " + m + " need more than 1024 threads (use a smaller q)");
        }
        return threads;
    }

    /** Shared memory of one block; mirrors the layouts at the top of flash.cu and flash_mma.cu. */
    long sharedBytes(int rowsPerTile) {
        long m = (long) rowsPerTile * shape.groupSize(), d = shape.headDim();
        // from a 1024-byte boundary on: Q (kept, or staged and reused by the stages) and 2 K/V stages (flash_wgmma.cu)
        if (mma == 2) {
            long stages = 4L * tileKeys * d;
            return 1024 + 2L * (qInShared(rowsPerTile) ? m * d + stages : Math.max(m * (d + 8), stages));
        }
        if (mma == 1) {
            // the Q tile and 2 stages of K and V; the stages reuse Q's memory unless Q stays there (see flash_mma.cu)
            boolean qStays = warpTiles == 2 && d > 64;
            return 2L * (qStays ? m + 4L * tileKeys : Math.max(m, 4L * tileKeys)) * (d + 8);
        }
        return 4L * (m * (d + 4) + tileKeys * (d + 4) + tileKeys * d + m * (tileKeys + 4) + 3 * m);
    }

    /**
     * wgmma: Q stays in shared memory (the A operand by descriptor) for tiles of more than two warpgroups, which
     * would not fit the register file with Q in registers (see {@link #wgmmaRegisters}).
     */
    private boolean qInShared(int rowsPerTile) {
        return rowsPerTile * shape.groupSize() > 128;
    }

    List<String> defines(int rowsPerTile, KvType kvType) {
        List<String> common = List.of("-DHEAD_DIM=" + shape.headDim(), "-DGROUP=" + shape.groupSize(),
                "-DBQ=" + rowsPerTile, "-DBK=" + tileKeys, "-DKV_F16=" + (kvType == KvType.F16 ? 1 : 0));
        List<String> defines = new ArrayList<>(common);
        if (mma == 0) defines.add("-DTHREADS=" + threads(rowsPerTile));
        if (mma == 1) defines.add("-DMT=" + warpTiles);
        if (mma == 2) defines.add("-DQ_SMEM=" + (qInShared(rowsPerTile) ? 1 : 0));
        return defines;
    }

    /**
     * Query rows per tile for a launch of {@code rows} rows: the configured tile, except for a launch smaller than
     * it (decode), which gets the smallest tile of its kernel (SIMT: one row; wgmma: one warpgroup of 64 vectors)
     * so that empty rows do not multiply the work.
     */
    int rowsPerTile(int rows) {
        if (rows >= tileRows) return tileRows;
        if (mma == 0) return rows == 1 ? 1 : tileRows;
        if (mma == 2) return Math.min(tileRows, lcm(shape.groupSize(), 64) / shape.groupSize());
        return tileRows;
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
    boolean run(CudaKvCache cache, int layer, CudaBuffer q, int rows, int startPos, CudaBuffer out, long outBf16) {
        if (mma > 0 && (q.cols() % 4 != 0 || out.cols() % 2 != 0)) {  // float4 loads of Q, float2 stores of O
            throw new IllegalArgumentException(name() + " needs query rows of a multiple of 4 columns and output rows of"
                    + " a multiple of 2, got " + q + " -> " + out);
        }
        int rowsPerTile = rowsPerTile(rows);
        String source = switch (mma) {
            case 2 -> KernelSources.FLASH_WGMMA;
            case 1 -> KernelSources.FLASH_MMA;
            default -> KernelSources.FLASH;
        };
        Kernel kernel = kernels.flash(source, defines(rowsPerTile, cache.type()));
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
                        .ptr(partO).ptr(partMax).ptr(partSum).i32(segments > 1 ? 1 : 0)
                        .ptr(segments > 1 ? 0 : outBf16));
        if (segments > 1) {
            kernels.combine.launch(rows, heads, 1, Math.min(128, (d + 31) / 32 * 32), 0, device.args()
                    .ptr(partO).ptr(partMax).ptr(partSum).i32(rows).i32(heads).i32(d).i32(startPos).i32(segKeys)
                    .ptr(out.pointer()).i32(out.cols()));
        }
        return segments == 1 && outBf16 != 0;  // attn_combine writes f32 only
    }
}
