package dev.greta.tensor.bench;

import dev.greta.backend.Buffer;
import dev.greta.backend.Weights;
import dev.greta.backend.cpu.CpuBackend;
import dev.greta.backend.cpu.CpuBuffer;
import dev.greta.gguf.GgufFile;
import dev.greta.model.LlamaWeights;
import dev.greta.model.ModelShape;
import dev.greta.model.ModelShapes;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * A model's decode step with nothing but its matmuls: per layer the same calls the forward pass makes (Q, K and V
 * as one step, the output projection, gate and up as one step, down), then the output head, on the model file's
 * own mapped weights through the cpu backend. Its tokens per second are what decode would reach if every other
 * op were free; the gap to {@code greta infer}'s decode is the rest of the step.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp $CP dev.greta.tensor.bench.DecodeMatmulReplay --model M.gguf</pre>
 */
@Command(name = "decode-matmul-replay", mixinStandardHelpOptions = true)
public final class DecodeMatmulReplay implements Runnable {

    @Option(names = "--model", required = true, description = "a llama-family GGUF file")
    Path model;

    @Option(names = "--threads", defaultValue = "2")
    int threads;

    @Option(names = "--tokens", defaultValue = "100", description = "decode steps per round")
    int tokens;

    @Option(names = "--rounds", defaultValue = "6", description = "rounds; the first is warm-up")
    int rounds;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DecodeMatmulReplay()).execute(args));
    }

    @Override
    public void run() {
        if (tokens < 1 || rounds < 1) throw new IllegalArgumentException("--tokens and --rounds must be at least 1");
        try (GgufFile file = GgufFile.open(model); CpuBackend backend = new CpuBackend(threads)) {
            ModelShape shape = ModelShapes.fromFile(file);
            LlamaWeights weights = LlamaWeights.bind(file, shape, backend);
            Buffer x = random(shape.dim());
            Buffer attended = random(shape.qDim());
            Buffer hidden = random(shape.ffnDim());
            Weights[][] qkvWeights = new Weights[shape.layers()][];
            Weights[][] gateUpWeights = new Weights[shape.layers()][];
            for (int l = 0; l < shape.layers(); l++) {
                LlamaWeights.Layer layer = weights.layers()[l];
                qkvWeights[l] = new Weights[] {layer.wq(), layer.wk(), layer.wv()};
                gateUpWeights[l] = new Weights[] {layer.wGate(), layer.wUp()};
            }
            Buffer[] qkv = {backend.buffer(1, shape.qDim()), backend.buffer(1, shape.kvDim()), backend.buffer(1, shape.kvDim())};
            Buffer[] gateUp = {backend.buffer(1, shape.ffnDim()), backend.buffer(1, shape.ffnDim())};
            Buffer residual = backend.buffer(1, shape.dim());
            Buffer logits = backend.buffer(1, shape.vocab());
            String[] steps = {"qkv", "attn_output", "gate_up", "down", "output"};
            for (int round = 0; round < rounds; round++) {
                long[] nanos = new long[steps.length];
                long start = System.nanoTime();
                for (int t = 0; t < tokens; t++) {
                    for (int l = 0; l < shape.layers(); l++) {
                        long t0 = System.nanoTime();
                        backend.matmuls(qkvWeights[l], x, 1, qkv);
                        long t1 = System.nanoTime();
                        backend.matmulAdd(weights.layers()[l].wo(), attended, 1, residual);
                        long t2 = System.nanoTime();
                        backend.matmuls(gateUpWeights[l], x, 1, gateUp);
                        long t3 = System.nanoTime();
                        backend.matmulAdd(weights.layers()[l].wDown(), hidden, 1, residual);
                        long t4 = System.nanoTime();
                        nanos[0] += t1 - t0;
                        nanos[1] += t2 - t1;
                        nanos[2] += t3 - t2;
                        nanos[3] += t4 - t3;
                    }
                    long t0 = System.nanoTime();
                    backend.matmul(weights.output(), x, 1, logits);
                    nanos[4] += System.nanoTime() - t0;
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s%.1f tok/s; ms per token:",
                        round == 0 ? "(warm-up) " : "", tokens / seconds));
                for (int s = 0; s < steps.length; s++) {
                    line.append(String.format(Locale.ROOT, " %s %.3f", steps[s], nanos[s] / 1e6 / tokens));
                }
                System.out.println(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One row of Gaussian activations, as a normalised hidden state roughly is. */
    private static Buffer random(int n) {
        Random rnd = new Random(7);
        CpuBuffer b = new CpuBuffer(1, n);
        for (int i = 0; i < n; i++) b.data()[i] = (float) rnd.nextGaussian();
        return b;
    }
}
