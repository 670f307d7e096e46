package dev.greta.attention;

import dev.greta.backend.KvType;
import dev.greta.backend.cpu.Parallel;

import java.util.SplittableRandom;

/**
 * One benchmark attention call, built from the public-to-the-package API every build of this package has, so that
 * {@link AttentionAbCpuTime} can load it once per build (each in its own class loader) and time builds side by side.
 * One thread; the same random problem (seed 42) as {@link AttentionCpuTime}.
 */
public final class AttentionCall implements Runnable {

    private final AttentionKernel kernel;
    private final CpuKvCache cache;
    private final Parallel pool;
    private final AttentionShape shape;
    private final float[] q;
    private final float[] out;
    private final int rows;
    private final int keys;

    public AttentionCall(String spec, int heads, int kvHeads, int headDim, int keys, int rows, String kv) {
        this.shape = new AttentionShape(heads, kvHeads, headDim);
        SplittableRandom random = new SplittableRandom(42);
        int kvDim = kvHeads * headDim;
        this.q = random(random, rows * shape.qDim());
        this.out = new float[q.length];
        this.kernel = AttentionKernels.resolve(spec, true);
        this.cache = new CpuKvCache(1, kvHeads, headDim, keys, KvType.parse(kv));
        cache.store(0, random(random, keys * kvDim), random(random, keys * kvDim), keys, 0);
        this.pool = new Parallel(1);
        this.rows = rows;
        this.keys = keys;
    }

    @Override
    public void run() {
        kernel.attend(q, rows, keys - rows, cache, 0, out, shape, pool);
    }

    private static float[] random(SplittableRandom random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextDouble(-1, 1);
        return x;
    }
}
