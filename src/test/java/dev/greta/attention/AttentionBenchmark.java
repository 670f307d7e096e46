package dev.greta.attention;

import dev.greta.backend.KvType;
import dev.greta.backend.cpu.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Attention alone: a prefill chunk of 512 query rows at the end of a context of {@code keys} positions, or one
 * decode row at its end, for SmolLM2-135M (9 heads, 3 KV heads, 64 dims) and TinyLlama-1.1B (32, 4, 64).
 * Commands and results: docs/PERFORMANCE-attention.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class AttentionBenchmark {

    @Param({"smollm", "tinyllama"})
    public String model;

    @Param({"4096", "8192", "16384"})
    public int keys;

    @Param({"prefill", "decode"})
    public String step;

    /** A kernel spec with '/' for ',' (JMH splits parameter lists on commas): flash:q=64/kv=32. */
    @Param({"naive", "flash"})
    public String kernel;

    @Param({"true"})
    public boolean deterministic;

    @Param({"f32"})
    public String kv;

    /** Worker threads; 0 = every available processor. */
    @Param({"0"})
    public int threads;

    private AttentionShape shape;
    private AttentionKernel attention;
    private CpuKvCache cache;
    private Parallel pool;
    private float[] q;
    private float[] out;
    private int rows;

    @Setup(Level.Trial)
    public void setUp() {
        shape = switch (model) {
            case "smollm" -> new AttentionShape(9, 3, 64);
            case "tinyllama" -> new AttentionShape(32, 4, 64);
            default -> throw new IllegalArgumentException("unknown model " + model);
        };
        rows = step.equals("prefill") ? 512 : 1;
        attention = AttentionKernels.resolve(kernel.replace('/', ','), deterministic);
        pool = new Parallel(threads == 0 ? Parallel.defaultThreads() : threads);
        SplittableRandom random = new SplittableRandom(42);
        int kvDim = shape.kvHeads() * shape.headDim();
        cache = new CpuKvCache(1, shape.kvHeads(), shape.headDim(), keys, KvType.parse(kv));
        cache.store(0, random(random, keys * kvDim), random(random, keys * kvDim), keys, 0);
        q = random(random, rows * shape.qDim());
        out = new float[rows * shape.qDim()];
    }

    private static float[] random(SplittableRandom random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextDouble(-1, 1);
        return x;
    }

    @Benchmark
    public float[] attend() {
        attention.attend(q, rows, keys - rows, cache, 0, out, shape, pool);
        return out;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        cache.close();
    }
}
