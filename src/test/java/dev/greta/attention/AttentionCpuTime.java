package dev.greta.attention;

import dev.greta.backend.KvType;
import dev.greta.backend.cpu.Parallel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The same workload as {@link AttentionBenchmark}, timed in CPU time instead of wall time, for machines shared
 * with other busy processes (wall time then measures the neighbours). Per call it takes the largest CPU time any
 * pool thread spent (the critical path: waiting workers park and spend none), and reports the minimum over the
 * calls made in {@code --seconds}. With one thread that is the calling thread's CPU time.
 */
@Command(name = "attention-cpu-time", mixinStandardHelpOptions = true)
public final class AttentionCpuTime implements Runnable {

    @Option(names = "--kernel", defaultValue = "flash", description = "kernel spec, e.g. flash:q=64,kv=128")
    String kernel;

    @Option(names = "--model", defaultValue = "tinyllama", description = "smollm (9/3/64), tinyllama (32/4/64) or mqa (8/1/64)")
    String model;

    @Option(names = "--keys", defaultValue = "8192", description = "context length at the end of the step")
    int keys;

    @Option(names = "--rows", defaultValue = "512", description = "query rows (512 prefill chunk, 1 decode)")
    int rows;

    @Option(names = "--threads", defaultValue = "1")
    int threads;

    @Option(names = "--deterministic", defaultValue = "true", arity = "1")
    boolean deterministic;

    @Option(names = "--kv", defaultValue = "f32", description = "f32 or f16 cache")
    String kv;

    @Option(names = "--layers", defaultValue = "1",
            description = "cache layers, called in turn (30 for a model's working set: K/V no longer stay in cache)")
    int layers;

    @Option(names = "--seconds", defaultValue = "5")
    double seconds;

    public static void main(String[] args) {
        System.exit(new CommandLine(new AttentionCpuTime()).execute(args));
    }

    @Override
    public void run() {
        AttentionShape shape = switch (model) {
            case "smollm" -> new AttentionShape(9, 3, 64);
            case "tinyllama" -> new AttentionShape(32, 4, 64);
            case "mqa" -> new AttentionShape(8, 1, 64);
            default -> throw new IllegalArgumentException("unknown model " + model);
        };
        SplittableRandom random = new SplittableRandom(42);
        int kvDim = shape.kvHeads() * shape.headDim();
        float[] q = random(random, rows * shape.qDim());
        float[] out = new float[q.length];
        AttentionKernel attention = AttentionKernels.resolve(kernel, deterministic);
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        if (layers < 1) throw new IllegalArgumentException("--layers must be at least 1, got " + layers);
        try (CpuKvCache cache = new CpuKvCache(layers, shape.kvHeads(), shape.headDim(), keys, KvType.parse(kv));
             Parallel pool = new Parallel(threads)) {
            for (int layer = 0; layer < layers; layer++) {
                cache.store(layer, random(random, keys * kvDim), random(random, keys * kvDim), keys, 0);
            }
            long[] ids = poolThreadIds();
            long[] before = new long[ids.length];
            long best = Long.MAX_VALUE;
            long bestWall = Long.MAX_VALUE;
            int calls = 0;
            List<Long> criticals = new ArrayList<>();
            long deadline = System.nanoTime() + (long) (seconds * 1e9);
            while (calls < 3 || System.nanoTime() < deadline) {
                for (int i = 0; i < ids.length; i++) before[i] = cpu.getThreadCpuTime(ids[i]);
                long wall = System.nanoTime();
                attention.attend(q, rows, keys - rows, cache, calls % layers, out, shape, pool);
                bestWall = Math.min(bestWall, System.nanoTime() - wall);
                long critical = 0;
                for (int i = 0; i < ids.length; i++) {
                    critical = Math.max(critical, cpu.getThreadCpuTime(ids[i]) - before[i]);
                }
                best = Math.min(best, critical);
                criticals.add(critical);
                calls++;
            }
            double flops = 0;
            for (int r = 0; r < rows; r++) flops += 4.0 * shape.heads() * shape.headDim() * (keys - rows + r + 1);
            System.out.printf(Locale.ROOT, "%s model=%s keys=%d rows=%d threads=%d deterministic=%s kv=%s: "
                            + "critical-path CPU %.3f ms (%.1f GFLOP/s), median %.3f ms, wall %.3f ms, "
                            + "min of %d calls%n",
                    attention.name(), model, keys, rows, threads, deterministic, kv, best / 1e6, flops / best,
                    criticals.stream().sorted().toList().get(calls / 2) / 1e6, bestWall / 1e6, calls);
        }
    }

    /** The calling thread and the pool's workers (named greta-worker-N by Parallel). */
    private static long[] poolThreadIds() {
        List<Long> ids = new ArrayList<>(List.of(Thread.currentThread().threadId()));
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("greta-worker-")) ids.add(t.threadId());
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    private static float[] random(SplittableRandom random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextDouble(-1, 1);
        return x;
    }
}
