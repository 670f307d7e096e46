package dev.greta.attention;

import dev.greta.backend.KvType;
import dev.greta.backend.cpu.Parallel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Deterministic mode: the same bits on every run and for pools of 1, 2 and 4 threads. */
class DeterminismTest {

    private static final List<AttentionProblem> PROBLEMS = List.of(
            // several query tiles and KV heads, mid-sequence
            new AttentionProblem(new AttentionShape(6, 2, 24), 300, 150, 11, 3),
            // decode, where non-deterministic mode splits the key range
            new AttentionProblem(new AttentionShape(9, 3, 64), 2500, 1, 12, 3),
            new AttentionProblem(new AttentionShape(4, 1, 16), 4000, 1, 13, 3));

    static List<Arguments> runs() {
        List<Arguments> runs = new ArrayList<>();
        for (int p = 0; p < PROBLEMS.size(); p++) {
            for (String spec : List.of("naive", "flash", "flash:q=16,kv=64")) {
                for (KvType type : KvType.values()) runs.add(Arguments.of(p, spec, type));
            }
        }
        return runs;
    }

    @ParameterizedTest(name = "problem {0} {1} {2}")
    @MethodSource("runs")
    void bitIdenticalAcrossRunsAndThreadCounts(int problemIndex, String spec, KvType type) {
        AttentionProblem problem = PROBLEMS.get(problemIndex);
        AttentionKernel kernel = AttentionKernels.resolve(spec, true);
        try (CpuKvCache cache = problem.cache(type, 1, 0)) {
            float[] first;
            try (Parallel pool = new Parallel(2)) {
                first = problem.run(kernel, cache, 0, pool);
                for (int run = 0; run < 2; run++) assertBitIdentical(problem.run(kernel, cache, 0, pool), first);
            }
            for (int threads : new int[] {1, 4}) {
                try (Parallel pool = new Parallel(threads)) {
                    assertBitIdentical(problem.run(kernel, cache, 0, pool), first);
                }
            }
        }
    }

    /** Without the flag a split may change the last bits between thread counts, but not between runs. */
    @ParameterizedTest(name = "problem {0} {1} {2}")
    @MethodSource("runs")
    void nonDeterministicModeRepeatsWithTheSamePool(int problemIndex, String spec, KvType type) {
        AttentionProblem problem = PROBLEMS.get(problemIndex);
        AttentionKernel kernel = AttentionKernels.resolve(spec, false);
        try (CpuKvCache cache = problem.cache(type, 1, 0); Parallel pool = new Parallel(4)) {
            float[] first = problem.run(kernel, cache, 0, pool);
            for (int run = 0; run < 2; run++) assertBitIdentical(problem.run(kernel, cache, 0, pool), first);
        }
    }

    private static void assertBitIdentical(float[] actual, float[] expected) {
        int[] a = new int[actual.length];
        int[] e = new int[expected.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = Float.floatToRawIntBits(actual[i]);
            e[i] = Float.floatToRawIntBits(expected[i]);
        }
        assertThat(a).isEqualTo(e);
    }
}
