package dev.greta.backend.cuda;

import dev.greta.backend.KvType;
import dev.greta.model.ModelShape;

import java.util.List;
import java.util.Set;

/**
 * FlashAttention-2 style kernel (flash.cu), fp32 SIMT. Parameters of the spec "flash:q=Q,kv=K,seg=S":
 * <ul>
 * <li>q — query rows per tile; the tile holds q x groupSize query vectors in shared memory (default 64 / group)
 * <li>kv — keys per streamed K/V tile: 16, 32, 64 or 128 (default 32)
 * <li>seg — KV tiles per block: a row's keys are split into segments of seg x kv positions, computed by separate
 * blocks and merged in segment order. "auto" (default) splits only when the q tiles alone leave the GPU's
 * multiprocessors idle, into enough segments for about two blocks per multiprocessor (decode).
 * </ul>
 * The thread count follows from the tile: a multiple of headDim and kv, about 16 outputs per thread.
 */
final class FlashAttention extends CudaAttention {
    static final Set<String> PARAMS = Set.of("q", "kv", "seg");
    private static final List<Integer> KV_TILES = List.of(16, 32, 64, 128);
    private final int tileRows;
    private final int tileKeys;
    private final int segTiles;  // 0 = auto
    private final int threads;
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
        this.tileRows = spec.intParam("q", Math.max(1, 64 / shape.groupSize()), 1, 256);
        this.tileKeys = spec.intParam("kv", 32, 16, 128);
        if (!KV_TILES.contains(tileKeys)) {
            throw new IllegalArgumentException("flash parameter kv=" + tileKeys + " must be one of " + KV_TILES);
        }
        String seg = spec.params().getOrDefault("seg", "auto");
        this.segTiles = seg.equals("auto") ? 0 : spec.intParam("seg", 0, 1, 1 << 20);
        if (shape.headDim() % 4 != 0) {
            throw new IllegalArgumentException("flash needs a head dimension divisible by 4, got " + shape.headDim());
        }
        this.threads = threadsFor(tileRows * shape.groupSize(), shape.headDim(), tileKeys);
        long shared = sharedBytes();
        if (shared > device.maxSharedPerBlock) {
            throw new IllegalArgumentException(name() + " needs " + shared + " bytes of shared memory per block for "
                    + tileRows * shape.groupSize() + " query vectors of head dim " + shape.headDim() + "; "
                    + device.name + " allows " + device.maxSharedPerBlock + " (use a smaller q or kv)");
        }
    }

    /** Threads per block: a multiple of headDim, kv and 32 near one thread per 16 outputs, in [128, 1024]. */
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
        return "flash:q=" + tileRows + ",kv=" + tileKeys + ",seg=" + (segTiles == 0 ? "auto" : segTiles);
    }

    /** Shared memory of one block; mirrors the layout at the top of flash_attention. */
    long sharedBytes() {
        int m = tileRows * shape.groupSize(), d = shape.headDim();
        return 4L * (m * (d + 4) + tileKeys * (d + 4) + (long) tileKeys * d + m * (tileKeys + 4) + 3L * m);
    }

    List<String> defines(KvType kvType) {
        return List.of("-DHEAD_DIM=" + shape.headDim(), "-DGROUP=" + shape.groupSize(), "-DBQ=" + tileRows,
                "-DBK=" + tileKeys, "-DTHREADS=" + threads, "-DKV_F16=" + (kvType == KvType.F16 ? 1 : 0));
    }

    /** Key positions per segment for a launch of {@code rows} query rows over {@code keys} keys. */
    int segmentKeys(int rows, int keys) {
        int tiles = (keys + tileKeys - 1) / tileKeys;
        if (segTiles > 0) return segTiles * tileKeys;
        int blocks = (rows + tileRows - 1) / tileRows * shape.kvHeads();
        if (blocks >= device.multiprocessors) return tiles * tileKeys;
        int segments = Math.min(tiles, (2 * device.multiprocessors + blocks - 1) / blocks);
        return (tiles + segments - 1) / segments * tileKeys;
    }

    @Override
    void run(CudaKvCache cache, int layer, CudaBuffer q, int rows, int startPos, CudaBuffer out) {
        Kernel kernel = kernels.flash(defines(cache.type()));
        int keys = startPos + rows;
        int segKeys = segmentKeys(rows, keys);
        int segments = (keys + segKeys - 1) / segKeys;
        int heads = shape.heads(), d = shape.headDim();
        long partO = 0, partMax = 0, partSum = 0;
        if (segments > 1) {
            long stats = (long) segments * rows * heads;
            partO = partials.ensure(4L * stats * (d + 2));
            partMax = partO + 4L * stats * d;
            partSum = partMax + 4L * stats;
        }
        kernel.launch((rows + tileRows - 1) / tileRows, shape.kvHeads(), segments, threads, (int) sharedBytes(),
                device.args()
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
