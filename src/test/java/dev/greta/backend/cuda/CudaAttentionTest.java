package dev.greta.backend.cuda;

import dev.greta.backend.Attention;
import dev.greta.backend.Buffer;
import dev.greta.backend.KvCache;
import dev.greta.backend.KvType;
import dev.greta.model.ModelShape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static dev.greta.backend.cuda.GpuTests.poisoned;
import static dev.greta.backend.cuda.GpuTests.rows;
import static dev.greta.backend.cuda.GpuTests.upload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Both attention kernels against the float64 reference: MHA, GQA (2, 4) and MQA, head dims 8 to 128, a prefill
 * from position 0, a chunk in the middle of a sequence, single-row decode (which splits keys into segments),
 * forced segmentation, and both KV types (the reference reads the same f16-rounded keys and values).
 */
class CudaAttentionTest extends GpuBackendTest {

    record Case(int heads, int kvHeads, int headDim, int startPos, int rows) {
        @Override
        public String toString() {
            return heads + "/" + kvHeads + " heads, d=" + headDim + ", rows [" + startPos + ", " + (startPos + rows) + ")";
        }
    }

    static Stream<Arguments> cases() {
        List<Case> shapes = List.of(
                new Case(8, 8, 64, 0, 37),      // MHA prefill
                new Case(8, 2, 128, 50, 29),    // GQA 4, chunk mid-sequence
                new Case(8, 1, 32, 0, 70),      // MQA, several q tiles
                new Case(8, 4, 8, 21, 11),      // stories260K's shape
                new Case(8, 2, 128, 300, 1),    // decode: keys split into segments
                new Case(4, 2, 64, 190, 3),     // short chunk late in the sequence
                new Case(4, 4, 80, 10, 40));    // head dim 80: an odd number of 16-wide k-steps
        // every spec with f16 keys and values; the f32 cache with the main code paths (naive, tensor cores and
        // SIMT, one segment and several merged)
        List<String> specs = List.of("naive", "flash", "flash:mma=0", "flash:q=4,kv=16,seg=1,mma=0",
                "flash:q=16,kv=16,seg=1,mma=1", "flash:q=8,kv=64,mma=0", "flash:q=1,kv=128,mma=0", "flash:q=16,kv=128,mma=1",
                "flash:q=32,kv=32,mt=2", "flash:mma=2,kv=64", "flash:mma=2,kv=128", "flash:mma=2,q=192", "flash:mma=2,q=48");
        List<Arguments> args = new ArrayList<>();
        for (Case c : shapes) {
            for (String spec : specs) {
                if (spec.equals("flash") && c.headDim % 16 != 0) continue;  // tensor cores need head dims of 16k
                if (spec.contains("mma=1") || spec.contains("mt=2")) {
                    if (c.headDim % 16 != 0) continue;
                }
                if (spec.contains("mma=2") && c.headDim != 64 && c.headDim != 128) continue;  // wgmma: head dims 64, 128
                // three warpgroups (Q kept in shared memory): q=192 for MHA, q=48 for GQA 4
                if (spec.endsWith("q=192") && c.heads != c.kvHeads || spec.endsWith("q=48") && c.heads != 4 * c.kvHeads) {
                    continue;
                }
                args.add(Arguments.of(spec, KvType.F16, c));
                if (specs.indexOf(spec) < 5) args.add(Arguments.of(spec, KvType.F32, c));
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void matchesReference(String spec, KvType type, Case c) {
        ModelShape shape = new ModelShape(2, c.heads * c.headDim, 4 * c.heads * c.headDim, c.heads, c.kvHeads,
                c.headDim, 64, 512, 1e-5f);
        Random random = new Random(31L * c.hashCode() + spec.hashCode() + type.ordinal());
        int keys = c.startPos + c.rows, kvDim = shape.kvDim(), qDim = shape.qDim();
        float[] k = Reference.gaussian(random, keys * kvDim, 1.0), v = Reference.gaussian(random, keys * kvDim, 1.0);
        float[] q = Reference.gaussian(random, c.rows * qDim, 1.5);
        try (KvCache cache = cuda.kvCache(shape, 320, type)) {
            // earlier positions in two chunks, then this chunk's own keys: as a forward pass fills the cache
            int split = c.startPos / 2;
            store(cache, k, v, 0, split, kvDim);
            store(cache, k, v, split, c.startPos - split, kvDim);
            store(cache, k, v, c.startPos, c.rows, kvDim);
            if (spec.contains("mma=2") && !cuda.device().hasWgmma()) {
                assertThatThrownBy(() -> cuda.attention(spec, shape, true)).hasMessageContaining("needs a Hopper GPU");
                return;
            }
            Attention attention = cuda.attention(spec, shape, true);
            Buffer out = poisoned(cuda, c.rows, qDim);
            cuda.attend(attention, cache, 1, upload(cuda, c.rows, qDim, q), c.rows, c.startPos, out);
            if (type == KvType.F16) {
                for (int i = 0; i < k.length; i++) {
                    k[i] = GgmlReference.roundF16(k[i]);
                    v[i] = GgmlReference.roundF16(v[i]);
                }
            }
            double[] expected = Reference.attention(q, k, v, c.rows, c.startPos, c.heads, c.kvHeads, c.headDim);
            // fp32 kernels: rounding only; tensor cores: Q and the probabilities rounded to f16 as well
            double bound = attention.name().matches(".*mma=[12].*") ? 3e-3 : 2e-6;
            assertThat(Reference.normalizedError(rows(cuda, out, c.rows), expected)).as(attention.name()).isLessThan(bound);
        }
    }

    @Test
    void namesAreTheResolvedSpecs() {
        ModelShape gqa4 = new ModelShape(1, 1024, 4096, 8, 2, 128, 64, 512, 1e-5f);
        assertThat(cuda.attention("naive", gqa4, true).name()).isEqualTo("naive");
        // the default: wgmma on Hopper, else mma.sync
        assertThat(cuda.attention("flash", gqa4, true).name()).isEqualTo(cuda.device().hasWgmma()
                ? "flash:q=48,kv=128,seg=auto,mma=2" : "flash:q=32,kv=64,seg=auto,mma=1,mt=2");
        assertThat(cuda.attention("flash:mma=1", gqa4, true).name()).isEqualTo("flash:q=32,kv=64,seg=auto,mma=1,mt=2");
        // decode (one row) runs the smallest tile of the kernel: one warpgroup (16 rows x 4 heads) with wgmma
        FlashAttention flash = (FlashAttention) cuda.attention("flash", gqa4, true);
        assertThat(flash.rowsPerTile(1)).isEqualTo(cuda.device().hasWgmma() ? 16 : 32);
        assertThat(flash.rowsPerTile(500)).isEqualTo(cuda.device().hasWgmma() ? 48 : 32);
        assertThat(((FlashAttention) cuda.attention("flash:mma=0", gqa4, true)).rowsPerTile(1)).isEqualTo(1);
        assertThat(cuda.attention("flash:q=4", gqa4, true).name()).isEqualTo("flash:q=4,kv=64,seg=auto,mma=1,mt=1");
        assertThat(cuda.attention("flash:q=16", gqa4, true).name()).isEqualTo(cuda.device().hasWgmma()
                ? "flash:q=16,kv=128,seg=auto,mma=2" : "flash:q=16,kv=64,seg=auto,mma=1,mt=2");
        assertThat(cuda.attention("flash:mma=0", gqa4, true).name()).isEqualTo("flash:q=32,kv=32,seg=auto,mma=0");
        assertThat(cuda.attention("flash:kv=64,seg=4,mma=0", gqa4, false).name()).isEqualTo("flash:q=32,kv=64,seg=4,mma=0");
        assertThatThrownBy(() -> cuda.attention("flash:kv=48", gqa4, true)).hasMessageContaining("kv=48 must be one of");
        if (cuda.device().hasWgmma()) {
            assertThat(cuda.attention("flash:mma=2,q=48,kv=64", gqa4, true).name()).isEqualTo("flash:q=48,kv=64,seg=auto,mma=2");
            assertThatThrownBy(() -> cuda.attention("flash:mma=2,q=8", gqa4, true)).hasMessageContaining("multiple of 64");
            assertThatThrownBy(() -> cuda.attention("flash:mma=2,kv=32", gqa4, true)).hasMessageContaining("with mma=2");
            assertThatThrownBy(() -> cuda.attention("flash:mma=2,mt=2", gqa4, true)).hasMessageContaining("mt needs mma=1");
            // four warpgroups: 128 registers per thread cannot hold the accumulators of 128-key tiles of head dim 128
            assertThatThrownBy(() -> cuda.attention("flash:mma=2,q=64,kv=128", gqa4, true))
                    .hasMessageContaining("registers per thread");
            // GQA 5 with head dim 128: the default 320-vector wgmma tile would not fit the registers, so mma.sync
            ModelShape gqa5 = new ModelShape(1, 5120, 4096, 40, 8, 128, 64, 512, 1e-5f);
            assertThat(cuda.attention("flash", gqa5, true).name()).contains("mma=1");
            // tiles of 32 keys are for mma.sync only: asked for, they pick it rather than fail
            assertThat(cuda.attention("flash:kv=32", gqa4, true).name()).isEqualTo("flash:q=32,kv=32,seg=auto,mma=1,mt=2");
            ModelShape headDim80 = new ModelShape(1, 640, 2048, 8, 2, 80, 64, 512, 1e-5f);
            assertThat(cuda.attention("flash", headDim80, true).name()).contains("mma=1");
            assertThatThrownBy(() -> cuda.attention("flash:mma=2", headDim80, true)).hasMessageContaining("head dims 64 and 128");
        } else {
            assertThatThrownBy(() -> cuda.attention("flash:mma=2", gqa4, true)).hasMessageContaining("needs a Hopper GPU");
        }
        assertThat(cuda.attention("flash:mt=2", gqa4, true).name()).isEqualTo("flash:q=32,kv=64,seg=auto,mma=1,mt=2");
        assertThatThrownBy(() -> cuda.attention("flash:mt=2,mma=0", gqa4, true)).hasMessageContaining("mt needs mma=1");
        assertThatThrownBy(() -> cuda.attention("flash:q=4,mt=2", gqa4, true)).hasMessageContaining("multiple of 32");
        // tensor cores by default only where the tile fits them; asked for explicitly, a misfit is an error
        assertThat(cuda.attention("flash:q=3", gqa4, true).name()).isEqualTo("flash:q=3,kv=32,seg=auto,mma=0");
        assertThatThrownBy(() -> cuda.attention("flash:q=3,mma=1", gqa4, true)).hasMessageContaining("multiples of 16");
        ModelShape headDim8 = new ModelShape(1, 64, 172, 8, 4, 8, 64, 512, 1e-5f);
        assertThat(cuda.attention("flash", headDim8, true).name()).endsWith("mma=0");
        assertThatThrownBy(() -> cuda.attention("naive:q=4", gqa4, true)).hasMessageContaining("naive has no parameter 'q'");
        assertThatThrownBy(() -> cuda.attention("flash:q=256,kv=128,mma=0", gqa4, true))
                .hasMessageContaining("bytes of shared memory per block");
    }

    @Test
    void repeatedRunsAreBitIdentical() {
        ModelShape shape = new ModelShape(1, 1024, 4096, 8, 2, 128, 64, 512, 1e-5f);
        Random random = new Random(99);
        int keys = 400, rows = 1;
        try (KvCache cache = cuda.kvCache(shape, 512, KvType.F16)) {
            store(cache, Reference.gaussian(random, keys * 256, 1), Reference.gaussian(random, keys * 256, 1), 0, keys, 256, 0);
            Buffer q = upload(cuda, rows, 1024, Reference.gaussian(random, rows * 1024, 1));
            for (String spec : List.of("flash", "flash:mma=1", "flash:q=4,kv=16,seg=2", "flash:mma=0", "flash:q=1,kv=16,seg=2,mma=0", "naive")) {
                Attention a = cuda.attention(spec, shape, true);
                Buffer first = cuda.buffer(rows, 1024), second = cuda.buffer(rows, 1024);
                cuda.attend(a, cache, 0, q, rows, keys - rows, first);
                cuda.attend(a, cache, 0, q, rows, keys - rows, second);
                assertThat(cuda.readRow(second, 0)).as(spec).containsExactly(cuda.readRow(first, 0));
            }
        }
    }

    private static void store(KvCache cache, float[] k, float[] v, int from, int count, int kvDim) {
        store(cache, k, v, from, count, kvDim, 1);
    }

    private static void store(KvCache cache, float[] k, float[] v, int from, int count, int kvDim, int layer) {
        if (count == 0) return;
        float[] kc = new float[count * kvDim], vc = new float[count * kvDim];
        System.arraycopy(k, from * kvDim, kc, 0, kc.length);
        System.arraycopy(v, from * kvDim, vc, 0, vc.length);
        cuda.storeKv(cache, layer, upload(cuda, count, kvDim, kc), upload(cuda, count, kvDim, vc), count, from);
    }
}
