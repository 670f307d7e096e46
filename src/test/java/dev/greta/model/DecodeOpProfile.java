package dev.greta.model;

import dev.greta.backend.Attention;
import dev.greta.backend.KvCache;
import dev.greta.backend.KvType;
import dev.greta.backend.OpTiming;
import dev.greta.backend.cpu.CpuBackend;
import dev.greta.gguf.GgufFile;
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
 * single-token forward passes with the cpu backend's per-op wall clock ({@link CpuBackend#profileOps}, matmuls by
 * weight shape). Prints the minimum and median over rounds of ms per token, per operation; the minimum is the
 * round the neighbours on a shared machine disturbed least.
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

    public static void main(String[] args) {
        System.exit(new CommandLine(new DecodeOpProfile()).execute(args));
    }

    @Override
    public void run() {
        try (GgufFile file = GgufFile.open(model); CpuBackend cpu = new CpuBackend(threads)) {
            ModelShape shape = ModelShapes.fromFile(file);
            LlamaModel m = new LlamaModel(shape, LlamaWeights.bind(file, shape, cpu),
                    RopeFrequencies.fromFile(file, shape), cpu, prompt);
            KvCache cache = cpu.kvCache(shape, prompt + steps, KvType.F32);
            Attention attention = cpu.attention(attn, shape, false);
            int[] tokens = new int[prompt];
            for (int i = 0; i < prompt; i++) tokens[i] = 1 + (int) ((i * 7919L) % Math.min(1000, shape.vocab() - 1));
            m.forward(tokens, 0, prompt, 0, cache, attention, true);
            int[] one = {tokens[prompt - 1]};
            for (int i = 0; i < warmup; i++) m.forward(one, 0, 1, prompt + i % steps, cache, attention, true);
            long[] totals = new long[rounds];
            Map<String, double[]> millis = new TreeMap<>();  // per op: ms per round
            for (int round = 0; round < rounds; round++) {
                cpu.profileOps(true);  // the backend's own per-op wall clock, cleared for each round
                long t0 = System.nanoTime();
                for (int i = 0; i < steps; i++) m.forward(one, 0, 1, prompt + i, cache, attention, true);
                totals[round] = System.nanoTime() - t0;
                for (Map.Entry<String, OpTiming> e : cpu.opProfile().entrySet()) {
                    millis.computeIfAbsent(e.getKey(), k -> new double[rounds])[round] = e.getValue().totalMillis();
                }
            }
            double[] other = new double[rounds];
            for (int r = 0; r < rounds; r++) other[r] = totals[r] / 1e6;
            for (double[] op : millis.values()) for (int r = 0; r < rounds; r++) other[r] -= op[r];
            double[] wall = Arrays.stream(totals).mapToDouble(t -> t / 1e6).toArray();
            System.out.printf(Locale.ROOT, "threads %d, prompt %d, %d rounds x %d steps: ms/token min %.2f median %.2f"
                    + " (%.1f / %.1f tok/s)%n", threads, prompt, rounds, steps, min(wall), median(wall),
                    1e3 / min(wall), 1e3 / median(wall));
            for (Map.Entry<String, double[]> e : millis.entrySet()) print(e.getKey(), e.getValue());
            print("(between operations)", other);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void print(String name, double[] perRound) {
        System.out.printf(Locale.ROOT, "  %-28s min %6.3f  median %6.3f ms/token%n", name, min(perRound), median(perRound));
    }

    private double min(double[] perRound) { return Arrays.stream(perRound).min().orElse(0) / steps; }

    private double median(double[] perRound) {
        double[] sorted = perRound.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2] / steps;
    }
}
