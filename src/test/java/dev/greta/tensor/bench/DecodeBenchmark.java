package dev.greta.tensor.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Vectorised row decoding (WeightMatrix.dequantizeRow) of a 1536 x 1536 weight, one thread: the per-weight
 * cost the GEMM pays once per weight per call and the 1-token path pays per token. One operation decodes all
 * 1536 * 1536 weights, so ns per weight = us/op * 1000 / 2359296.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class DecodeBenchmark {
    private static final int N = 1536;

    @Param({"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    public String type;

    private MatmulFixture fixture;
    private float[] row;

    @Setup
    public void setUp() {
        fixture = new MatmulFixture(type, N + "x" + N, 1, 1);
        row = new float[N];
    }

    @TearDown
    public void tearDown() { fixture.close(); }

    @Benchmark
    public float[] decodeAllRows() {
        for (int r = 0; r < N; r++) fixture.copies[0].dequantizeRow(r, row, 0);
        return row;
    }
}
