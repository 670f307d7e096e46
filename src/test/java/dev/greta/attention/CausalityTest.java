package dev.greta.attention;

import dev.greta.backend.KvType;
import dev.greta.backend.cpu.Parallel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Masking, exactly: changing the key and value at one position inside the chunk must leave every earlier row
 * bit-identical and change the row at that position, for each head group.
 */
class CausalityTest {

    @ParameterizedTest
    @ValueSource(strings = {"naive", "flash", "flash:q=16,kv=64", "flash:q=5,kv=32"})
    void rowsSeeOnlyEarlierPositions(String spec) {
        AttentionShape shape = new AttentionShape(6, 2, 16);
        int startPos = 100;
        int rows = 90;
        AttentionProblem problem = new AttentionProblem(shape, startPos, rows, 21, 3);
        AttentionKernel kernel = AttentionKernels.resolve(spec, true);
        int kvDim = shape.kvHeads() * shape.headDim();
        try (Parallel pool = new Parallel(2)) {
            float[] before;
            try (CpuKvCache cache = problem.cache(KvType.F32, 1, 0)) {
                before = problem.run(kernel, cache, 0, pool);
            }
            for (int changed : new int[] {startPos, startPos + 31, startPos + 32, startPos + 63, startPos + rows - 1}) {
                AttentionProblem edited = new AttentionProblem(shape, startPos, rows, 21, 3);
                for (int j = 0; j < kvDim; j++) {
                    edited.k[changed * kvDim + j] += 0.5f;
                    edited.v[changed * kvDim + j] -= 0.5f;
                }
                float[] after;
                try (CpuKvCache cache = edited.cache(KvType.F32, 1, 0)) {
                    after = edited.run(kernel, cache, 0, pool);
                }
                int row = changed - startPos;
                int qDim = shape.qDim();
                assertThat(Arrays.copyOf(after, row * qDim)).as("rows before position %d", changed)
                        .isEqualTo(Arrays.copyOf(before, row * qDim));
                for (int h = 0; h < shape.heads(); h++) {
                    int at = row * qDim + h * shape.headDim();
                    assertThat(Arrays.copyOfRange(after, at, at + shape.headDim()))
                            .as("row at position %d, head %d", changed, h)
                            .isNotEqualTo(Arrays.copyOfRange(before, at, at + shape.headDim()));
                }
            }
        }
    }
}
