package dev.greta.tensor.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The FP32 FMA ceiling of one core and of two: twelve independent vector FMA chains of the widest vectors the
 * CPU has (enough to cover FMA latency times the FMA ports), no memory traffic. One operation = one fused
 * multiply-add on one float lane = 2 FLOP, so GFLOP/s = ops/us * 2 / 1000. The species must be a constant
 * (static final) for C2 to compile the vector operations into instructions.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class FmaPeakBenchmark {
    private static final int STEPS = 1024;
    private static final int CHAINS = 12;

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private float[] seed;

    @Setup
    public void setUp() {
        seed = new float[SPECIES.length()];
        java.util.Arrays.fill(seed, 1.0001f);
    }

    /** ops = FMA lanes; reported per microsecond, so GFLOP/s = ops/us * 2 / 1000. */
    @Benchmark
    @OperationsPerInvocation(STEPS * CHAINS * 16)
    public float fma() {
        return run(seed);
    }

    @Benchmark
    @Threads(2)
    @OperationsPerInvocation(STEPS * CHAINS * 16)
    public float fmaTwoThreads() {
        return run(seed);
    }

    private static float run(float[] seed) {
        FloatVector m = FloatVector.fromArray(SPECIES, seed, 0);
        FloatVector c = m.mul(0.5f);
        FloatVector a0 = c, a1 = c.add(1), a2 = c.add(2), a3 = c.add(3), a4 = c.add(4), a5 = c.add(5);
        FloatVector a6 = c.add(6), a7 = c.add(7), a8 = c.add(8), a9 = c.add(9), a10 = c.add(10), a11 = c.add(11);
        int repeat = 16 / SPECIES.length() * STEPS; // the same lane-FMA count for every width
        for (int i = 0; i < repeat; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
