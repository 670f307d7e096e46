package dev.greta.gguf;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Mutates valid small GGUF files (truncations at every field, hostile values in every count, length, type id,
 * dimension and offset, bit flips, bad UTF-8, deep nesting) and requires every case to end either in a clean
 * parse (then the verifier must run without failing) or in a GgufFormatException with a field and a reason,
 * within a per-case time bound. Seed: -Dgguf.fuzz.seed=N (printed with the case count); more random cases:
 * -Dgguf.fuzz.cases=N.
 */
class GgufFuzzTest {
    private static final long SEED = Long.getLong("gguf.fuzz.seed", 0x6767_7566L);
    private static final int RANDOM_CASES = Integer.getInteger("gguf.fuzz.cases", 3000);
    private static final long CASE_TIMEOUT_MS = 5000;

    private static final long[] NASTY_U64 = {0, 1, 2, 31, 32, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, 1L << 32,
            1L << 40, Long.MAX_VALUE, Long.MIN_VALUE, -1, -2, -32};
    private static final long[] NASTY_U32 = {0, 1, 5, 9, 13, 31, 99, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL};

    record Case(String name, byte[] bytes) {}

    @Test
    void mutatedFilesAreRejectedWithAReasonOrParse() throws Exception {
        List<byte[]> seeds = List.of(TestFiles.everyTypeFile(), llamaLikeFile());
        List<Case> cases = new ArrayList<>();
        for (int s = 0; s < seeds.size(); s++) targetedCases(s, seeds.get(s), cases);
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < RANDOM_CASES; i++) {
            int s = random.nextInt(seeds.size());
            cases.add(randomCase("random#" + i + " of seed file " + s, seeds.get(s), random));
        }
        cases.add(new Case("100000 nested arrays", deeplyNested(100_000)));

        int rejected = 0;
        int parsed = 0;
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().unstarted(r));
        try {
            for (Case c : cases) {
                Future<Throwable> result = worker.submit(() -> attempt(c.bytes()));
                Throwable t;
                try {
                    t = result.get(CASE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    result.cancel(true);
                    throw new AssertionError("case '" + c.name() + "' (seed " + SEED + ") took over " + CASE_TIMEOUT_MS + " ms");
                } catch (ExecutionException e) {
                    throw new AssertionError("case '" + c.name() + "' (seed " + SEED + ") failed with " + e.getCause(), e.getCause());
                }
                if (t == null) {
                    parsed++;
                } else if (t instanceof GgufFormatException g) {
                    assertThat(g.field()).as(c.name()).isNotBlank();
                    assertThat(g.getMessage()).as(c.name()).matches("(?s).+ at offset \\d+: .+");
                    rejected++;
                } else {
                    throw new AssertionError("case '" + c.name() + "' (seed " + SEED + ") threw " + t, t);
                }
            }
        } finally {
            worker.shutdownNow();
        }
        System.out.printf("GGUF fuzz: %d cases (seed %d): %d rejected with a reason, %d parsed cleanly%n",
                cases.size(), SEED, rejected, parsed);
        assertThat(rejected).isGreaterThan(cases.size() / 2);
    }

    /** Null when the bytes parse (and then verify without throwing), else what parsing threw. */
    private static Throwable attempt(byte[] bytes) {
        try {
            GgufReader.parse(MemorySegment.ofArray(bytes));
        } catch (Throwable t) {
            return t;
        }
        GgufVerifier.verify(MemorySegment.ofArray(bytes), true);
        return null;
    }

    private static void targetedCases(int s, byte[] file, List<Case> out) {
        GgufFieldMap map = GgufFieldMap.of(file);
        for (int b : map.boundaries()) out.add(new Case("seed " + s + " truncated at boundary " + b, Arrays.copyOf(file, b)));
        for (GgufFieldMap.Field f : map.fields()) {
            out.add(new Case("seed " + s + " truncated inside field at " + f.pos(), Arrays.copyOf(file, f.pos() + f.width() / 2)));
            long[] values = f.width() == 8 ? NASTY_U64 : NASTY_U32;
            for (long v : values) out.add(new Case("seed " + s + " " + f.kind() + " at " + f.pos() + " = " + Long.toUnsignedString(v), with(file, f, v)));
            if (f.kind() == GgufFieldMap.Kind.VALUE_TYPE) {
                for (int t = 0; t <= 12; t++) out.add(new Case("seed " + s + " value type at " + f.pos() + " = " + t, with(file, f, t)));
            }
            if (f.kind() == GgufFieldMap.Kind.TENSOR_TYPE) {
                for (GgmlType t : GgmlType.values()) out.add(new Case("seed " + s + " tensor type at " + f.pos() + " = " + t, with(file, f, t.id())));
            }
        }
        byte[][] badUtf8 = {{(byte) 0xFF}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xE2, (byte) 0x96}};
        for (int[] str : map.strings()) {
            for (byte[] bad : badUtf8) {
                if (str[1] < bad.length) continue;
                byte[] m = file.clone();
                System.arraycopy(bad, 0, m, str[0] + str[1] - bad.length, bad.length);
                out.add(new Case("seed " + s + " bad UTF-8 " + Arrays.toString(bad) + " in string at " + str[0], m));
            }
        }
    }

    private static Case randomCase(String name, byte[] file, SplittableRandom r) {
        GgufFieldMap map = GgufFieldMap.of(file);
        byte[] m = file.clone();
        int kind = r.nextInt(5);
        switch (kind) {
            case 0 -> { // flip a few bits anywhere
                for (int i = r.nextInt(1, 9); i > 0; i--) m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
            }
            case 1 -> { // overwrite a run in the header with random bytes
                int end = map.boundaries().getLast();
                int at = r.nextInt(end);
                for (int i = at; i < Math.min(end, at + r.nextInt(1, 16)); i++) m[i] = (byte) r.nextInt(256);
            }
            case 2 -> { // random value in a random field
                GgufFieldMap.Field f = map.fields().get(r.nextInt(map.fields().size()));
                m = with(m, f, r.nextBoolean() ? r.nextLong() : r.nextLong(0, 4096));
            }
            case 3 -> { // two hostile fields at once
                for (int i = 0; i < 2; i++) {
                    GgufFieldMap.Field f = map.fields().get(r.nextInt(map.fields().size()));
                    m = with(m, f, f.width() == 8 ? NASTY_U64[r.nextInt(NASTY_U64.length)] : NASTY_U32[r.nextInt(NASTY_U32.length)]);
                }
            }
            default -> { // truncate anywhere, then flip a bit
                m = Arrays.copyOf(m, r.nextInt(m.length));
                if (m.length > 0) m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
            }
        }
        return new Case(name + " (mutation " + kind + ")", m);
    }

    private static byte[] with(byte[] file, GgufFieldMap.Field f, long value) {
        byte[] m = file.clone();
        for (int i = 0; i < f.width(); i++) m[f.pos() + i] = (byte) (value >>> (8 * i));
        return m;
    }

    /** A file whose one value is {@code depth} arrays, each holding the next. */
    private static byte[] deeplyNested(int depth) {
        TestFiles.Raw r = new TestFiles.Raw().header(0, 1).str("deep").u32(9);
        for (int i = 0; i < depth; i++) r.u32(9).u64(1);
        return r.u32(0).u64(0).bytes();
    }

    /** A small llama-shaped file with tokenizer arrays and a non-default alignment. */
    private static byte[] llamaLikeFile() throws java.io.IOException {
        GgufWriter w = new GgufWriter().put("general.alignment", GgufValue.ofUint32(64))
                .put("general.architecture", GgufValue.ofString("llama"));
        for (String k : GgufVerifier.LLAMA_REQUIRED_KEYS) {
            w.put("llama." + k, k.endsWith("epsilon") ? GgufValue.ofFloat32(1e-5f) : GgufValue.ofUint32(k.equals("block_count") ? 1 : 32));
        }
        w.put("tokenizer.ggml.model", GgufValue.ofString("llama"));
        w.put("tokenizer.ggml.tokens", GgufValue.ofArray(GgufArray.ofStrings(new String[]{"<unk>", "<s>", "</s>", "▁a"})));
        w.put("tokenizer.ggml.scores", GgufValue.ofArray(GgufArray.ofFloats(new float[]{0, 0, 0, -1})));
        w.put("tokenizer.ggml.token_type", GgufValue.ofArray(GgufArray.ofInt32(new int[]{2, 3, 3, 1})));
        w.put("tokenizer.ggml.bos_token_id", GgufValue.ofUint32(1));
        w.addTensor("token_embd.weight", GgmlType.Q8_0, 32, 4);
        w.addTensor("blk.0.attn_norm.weight", GgmlType.F32, 32);
        w.addTensor("blk.0.attn_q.weight", GgmlType.Q4_K, 256, 1);
        w.addTensor("output_norm.weight", GgmlType.BF16, 32);
        return TestFiles.bytes(w, TestFiles.randomData());
    }

}
