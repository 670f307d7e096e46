package dev.greta.attention;

import dev.greta.backend.KvType;
import dev.greta.backend.cpu.Parallel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Every kernel against a float64 reference on fresh random problems, within the stated float32/F16 bounds. */
class AttentionAccuracyTest {

    private static final int LAYERS = 3;
    private static final int LAYER = 1;

    /** GQA ratios 1, 3, 4, 8; prefill from 0, chunks mid-sequence, decode; lengths up to 9001 keys; sharp scores. */
    record Case(String label, AttentionShape shape, int startPos, int rows, float queryAmplitude) {
        @Override
        public String toString() { return label; }
    }

    private static final List<Case> CASES = List.of(
            new Case("mha-prefill-from-0", new AttentionShape(4, 4, 16), 0, 70, 3),
            new Case("gqa3-chunk-mid-hd24", new AttentionShape(6, 2, 24), 130, 45, 3),
            new Case("gqa4-chunk-mid-hd64", new AttentionShape(8, 2, 64), 1000, 100, 3),
            new Case("gqa8-hd8", new AttentionShape(8, 1, 8), 37, 200, 3),
            new Case("gqa3-hd12-short", new AttentionShape(3, 1, 12), 5, 3, 3),
            new Case("smollm-decode-3000", new AttentionShape(9, 3, 64), 3000, 1, 3),
            new Case("gqa4-long-chunk-8200", new AttentionShape(4, 1, 16), 8200, 70, 3),
            new Case("gqa3-long-decode-9000", new AttentionShape(3, 1, 16), 9000, 1, 3),
            new Case("gqa8-long-sharp-8192", new AttentionShape(8, 1, 16), 8192, 40, 8),
            // Score spreads of ~20 and ~200 (base 2): later key tiles beat a slot's reference max by more than
            // flash's rescale margin, and by more than 127 (weights overflow and must be recomputed).
            new Case("smollm-sharp-rescales", new AttentionShape(9, 3, 64), 600, 130, 40),
            new Case("gqa4-extreme-jumps", new AttentionShape(8, 2, 32), 300, 70, 400));

    private static final List<String> SPECS = List.of("naive", "flash", "flash:q=16,kv=64", "flash:q=5,kv=96");
    private static final Map<String, AttentionProblem.Reference> REFERENCES = new ConcurrentHashMap<>();
    private static final Map<String, Double> WORST = new TreeMap<>();
    private static Parallel pool;

    @BeforeAll
    static void startPool() {
        pool = new Parallel(4);
    }

    @AfterAll
    static void report() {
        pool.close();
        WORST.forEach((key, value) -> System.out.printf("worst relative error %-28s %.3g%n", key, value));
    }

    static List<Arguments> runs() {
        List<Arguments> runs = new ArrayList<>();
        for (Case c : CASES) {
            for (String spec : SPECS) {
                for (KvType type : KvType.values()) {
                    runs.add(Arguments.of(c, spec, true, type));
                    if (!spec.equals("naive")) runs.add(Arguments.of(c, spec, false, type));
                }
            }
        }
        return runs;
    }

    @ParameterizedTest(name = "{0} {1} deterministic={2} {3}")
    @MethodSource("runs")
    void matchesFloat64Reference(Case c, String spec, boolean deterministic, KvType type) {
        AttentionProblem problem = new AttentionProblem(c.shape(), c.startPos(), c.rows(), c.label().hashCode(),
                c.queryAmplitude());
        AttentionProblem.Reference reference = REFERENCES.computeIfAbsent(c.label() + type,
                key -> problem.reference(type));
        AttentionKernel kernel = AttentionKernels.resolve(spec, deterministic);
        float[] out;
        try (CpuKvCache cache = problem.cache(type, LAYERS, LAYER)) {
            out = problem.run(kernel, cache, LAYER, pool);
        }
        double worstRatio = reference.worstRatio(out);
        synchronized (WORST) {
            WORST.merge(spec + " " + type, reference.worstRelative(out), Math::max);
        }
        assertThat(worstRatio).as("worst |out - exact| / bound").isLessThanOrEqualTo(1.0);
    }
}
