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
 * SmolLM2-135M prefill matmuls (attention 576x576, FFN gate/up 1536x576, FFN down 576x1536) at 512 tokens.
 * GFLOP/s = 2 * rows * cols * tokens / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class MatmulBenchmark {
    @Param({"F32", "F16", "BF16", "Q8_0", "Q4_0"})
    public String type;

    /** Weight rows x cols. */
    @Param({"576x576", "1536x576", "576x1536"})
    public String shape;

    @Param({"512"})
    public int tokens;

    @Param({"2"})
    public int threads;

    private MatmulFixture fixture;

    @Setup
    public void setUp() { fixture = new MatmulFixture(type, shape, tokens, threads); }

    @TearDown
    public void tearDown() { fixture.close(); }

    @Benchmark
    public float[] matmul() { return fixture.call(); }
}
