package dev.greta.model;

import dev.greta.backend.Attention;
import dev.greta.backend.Backend;
import dev.greta.backend.Buffer;
import dev.greta.backend.KvCache;
import dev.greta.backend.KvType;
import dev.greta.backend.Rope;
import dev.greta.backend.Weights;
import dev.greta.backend.cpu.CpuBackend;
import dev.greta.gguf.GgufFile;
import dev.greta.gguf.GgufTensor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a decode step's time goes: prefills a prompt, warms up with decode steps, then times rounds of
 * single-token forward passes through a backend that sums the wall time of every {@link Backend} operation
 * (matmuls by shape). Prints the minimum and median over rounds of ms per token, per operation; the minimum is
 * the round the neighbours on a shared machine disturbed least.
 */
@Command(name = "decode-op-profile", mixinStandardHelpOptions = true)
public final class DecodeOpProfile implements Runnable {

    @Option(names = "--model", required = true, description = "GGUF model")
    Path model;

    @Option(names = "--threads", defaultValue = "2")
    int threads;

    @Option(names = "--prompt", defaultValue = "512", description = "prompt tokens before the timed steps")
    int prompt;

    @Option(names = "--steps", defaultValue = "40", description = "decode steps per round")
    int steps;

    @Option(names = "--rounds", defaultValue = "7")
    int rounds;

    @Option(names = "--warmup", defaultValue = "200", description = "untimed decode steps first (JIT)")
    int warmup;

    @Option(names = "--attn", defaultValue = "flash")
    String attn;

    private final Map<String, long[]> nanos = new TreeMap<>();
    private int round = -1;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DecodeOpProfile()).execute(args));
    }

    @Override
    public void run() {
        try (GgufFile file = GgufFile.open(model); CpuBackend cpu = new CpuBackend(threads)) {
            ModelShape shape = ModelShapes.fromFile(file);
            Backend timed = new TimedBackend(cpu);
            LlamaModel m = new LlamaModel(shape, LlamaWeights.bind(file, shape, timed),
                    RopeFrequencies.fromFile(file, shape), timed, prompt);
            KvCache cache = timed.kvCache(shape, prompt + steps, KvType.F32);
            Attention attention = timed.attention(attn, shape, false);
            int[] tokens = new int[prompt];
            for (int i = 0; i < prompt; i++) tokens[i] = 1 + (int) ((i * 7919L) % Math.min(1000, shape.vocab() - 1));
            m.forward(tokens, 0, prompt, 0, cache, attention, true);
            int[] one = {tokens[prompt - 1]};
            for (int i = 0; i < warmup; i++) m.forward(one, 0, 1, prompt + i % steps, cache, attention, true);
            long[] totals = new long[rounds];
            for (round = 0; round < rounds; round++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < steps; i++) m.forward(one, 0, 1, prompt + i, cache, attention, true);
                totals[round] = System.nanoTime() - t0;
            }
            long[] other = totals.clone();
            for (long[] op : nanos.values()) for (int r = 0; r < rounds; r++) other[r] -= op[r];
            System.out.printf(Locale.ROOT, "threads %d, prompt %d, %d rounds x %d steps: ms/token min %.2f median %.2f"
                    + " (%.1f / %.1f tok/s)%n", threads, prompt, rounds, steps, min(totals), median(totals),
                    1e3 / min(totals), 1e3 / median(totals));
            for (Map.Entry<String, long[]> e : nanos.entrySet()) print(e.getKey(), e.getValue());
            print("(between operations)", other);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void print(String name, long[] perRound) {
        System.out.printf(Locale.ROOT, "  %-28s min %6.3f  median %6.3f ms/token%n", name, min(perRound), median(perRound));
    }

    private double min(long[] perRound) { return Arrays.stream(perRound).min().orElse(0) / 1e6 / steps; }

    private double median(long[] perRound) {
        long[] sorted = perRound.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1e6 / steps;
    }

    private void time(String op, long t0) {
        if (round >= 0) nanos.computeIfAbsent(op, k -> new long[rounds])[round] += System.nanoTime() - t0;
    }

    /** Delegates every operation to the cpu backend and adds its wall time to the current round. */
    private final class TimedBackend implements Backend {
        private final CpuBackend cpu;

        TimedBackend(CpuBackend cpu) { this.cpu = cpu; }

        @Override public String name() { return cpu.name(); }
        @Override public Map<String, String> properties() { return cpu.properties(); }
        @Override public int threads() { return cpu.threads(); }
        @Override public Weights matrix(GgufTensor tensor) { return cpu.matrix(tensor); }
        @Override public Weights vector(float[] values) { return cpu.vector(values); }
        @Override public Buffer buffer(int rows, int cols) { return cpu.buffer(rows, cols); }
        @Override public KvCache kvCache(ModelShape s, int maxSeq, KvType type) { return cpu.kvCache(s, maxSeq, type); }
        @Override public Attention attention(String spec, ModelShape s, boolean det) { return cpu.attention(spec, s, det); }

        @Override
        public void embed(Weights table, int[] tokens, int from, int count, Buffer out) {
            long t0 = System.nanoTime();
            cpu.embed(table, tokens, from, count, out);
            time("embed", t0);
        }

        @Override
        public void rmsNorm(Buffer x, Weights weight, float eps, int rows, Buffer out) {
            long t0 = System.nanoTime();
            cpu.rmsNorm(x, weight, eps, rows, out);
            time("rmsNorm", t0);
        }

        @Override
        public void matmul(Weights w, Buffer x, int rows, Buffer out) {
            long t0 = System.nanoTime();
            cpu.matmul(w, x, rows, out);
            time("matmul " + w.rows() + "x" + w.cols(), t0);
        }

        @Override
        public void matmulAdd(Weights w, Buffer x, int rows, Buffer out) {
            long t0 = System.nanoTime();
            cpu.matmulAdd(w, x, rows, out);
            time("matmulAdd " + w.rows() + "x" + w.cols(), t0);
        }

        @Override
        public void matmuls(Weights[] ws, Buffer x, int rows, Buffer[] outs) {
            long t0 = System.nanoTime();
            cpu.matmuls(ws, x, rows, outs);
            StringBuilder name = new StringBuilder("matmuls");
            for (Weights w : ws) name.append(' ').append(w.rows()).append('x').append(w.cols());
            time(name.toString(), t0);
        }

        @Override
        public void rope(Buffer x, int rows, int heads, int startPos, Rope rope) {
            long t0 = System.nanoTime();
            cpu.rope(x, rows, heads, startPos, rope);
            time("rope", t0);
        }

        @Override
        public void storeKv(KvCache cache, int layer, Buffer k, Buffer v, int rows, int startPos) {
            long t0 = System.nanoTime();
            cpu.storeKv(cache, layer, k, v, rows, startPos);
            time("storeKv", t0);
        }

        @Override
        public void attend(Attention kernel, KvCache cache, int layer, Buffer q, int rows, int startPos, Buffer out) {
            long t0 = System.nanoTime();
            cpu.attend(kernel, cache, layer, q, rows, startPos, out);
            time("attend", t0);
        }

        @Override
        public void swiglu(Buffer gate, Buffer up, int rows) {
            long t0 = System.nanoTime();
            cpu.swiglu(gate, up, rows);
            time("swiglu", t0);
        }

        @Override
        public void add(Buffer x, Buffer y, int rows) {
            long t0 = System.nanoTime();
            cpu.add(x, y, rows);
            time("add", t0);
        }

        @Override public void copyRow(Buffer src, int srcRow, Buffer dst, int dstRow) { cpu.copyRow(src, srcRow, dst, dstRow); }
        @Override public float[] readRow(Buffer x, int row) { return cpu.readRow(x, row); }
        @Override public void close() { }
    }
}
