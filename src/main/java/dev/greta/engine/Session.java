package dev.greta.engine;

import dev.greta.backend.Attention;
import dev.greta.backend.Backend;
import dev.greta.backend.KvCache;
import dev.greta.gguf.GgufFile;
import dev.greta.gguf.GgufVerifier;
import dev.greta.model.LlamaModel;
import dev.greta.model.LlamaWeights;
import dev.greta.model.ModelShape;
import dev.greta.model.ModelShapes;
import dev.greta.model.RopeFrequencies;
import dev.greta.sampling.Sampler;
import dev.greta.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;

/**
 * One loaded model on one backend: owns the sequence limit, the KV cache and the timing spans that become
 * PERF_TIMING. The CLI and the benchmark executor drive a Session; none of them reaches into the model.
 */
public final class Session implements AutoCloseable {
    private final GgufFile file;
    private final Backend backend;
    private final ModelShape shape;
    private final Tokenizer tokenizer;
    private final LlamaModel model;
    private final Attention attention;
    private final SequenceLimit limit;
    private final SessionOptions options;
    private final double loadSeconds;
    private KvCache cache;

    private Session(GgufFile file, Backend backend, ModelShape shape, Tokenizer tokenizer, LlamaModel model,
                    Attention attention, SequenceLimit limit, SessionOptions options, double loadSeconds) {
        this.file = file;
        this.backend = backend;
        this.shape = shape;
        this.tokenizer = tokenizer;
        this.model = model;
        this.attention = attention;
        this.limit = limit;
        this.options = options;
        this.loadSeconds = loadSeconds;
    }

    /** Loads the model and binds its weights; the time this takes is {@code model_load_s}. */
    public static Session open(SessionOptions options, String maxSeqLenEnv) throws IOException {
        Stopwatch load = Stopwatch.start();
        GgufFile file = GgufFile.open(options.model());
        Backend backend = null;
        try {
            requireSound(file);
            ModelShape shape = ModelShapes.fromFile(file);
            Tokenizer tokenizer = Tokenizer.fromMetadata(file.metadata());
            SequenceLimit limit = SequenceLimit.resolve(options.ctx(), maxSeqLenEnv, shape.contextLength());
            if (limit.exceedsTrainedContext()) {
                System.err.printf("greta: warning: max sequence length %d (%s) is above the model's trained context %d; "
                        + "quality past %d positions is not guaranteed%n", limit.value(), limit.source(), limit.trained(), limit.trained());
            }
            int cpus = Runtime.getRuntime().availableProcessors();
            if (options.backend().equals("cpu") && options.threads() > cpus) {
                System.err.printf("greta: warning: %d threads on %d CPUs: the threads take turns on the cores, so the "
                        + "timings measure the oversubscription, not the kernels%n", options.threads(), cpus);
            }
            backend = Backends.create(options.backend(), options.threads());
            Attention attention = backend.attention(options.attention(), shape, options.deterministic());
            LlamaWeights weights = LlamaWeights.bind(file, shape, backend);
            int rows = Math.min(options.chunkSize(), limit.value());
            LlamaModel model = new LlamaModel(shape, weights, RopeFrequencies.fromFile(file, shape), backend, rows);
            return new Session(file, backend, shape, tokenizer, model, attention, limit, options, load.seconds());
        } catch (RuntimeException | Error e) {
            if (backend != null) backend.close();
            file.close();
            throw e;
        }
    }

    /** Problems listed in a refusal; {@code greta gguf verify} lists them all. */
    private static final int PROBLEMS_SHOWN = 3;

    /**
     * Refuses a file that {@code greta gguf verify} finds broken (overlapping tensor data, tensor shapes that do
     * not match the metadata, token ids outside the vocabulary...): such a file may still load and run, and then
     * prints tokens and timings from garbage.
     */
    private static void requireSound(GgufFile file) {
        Path model = file.path();
        List<GgufVerifier.Problem> problems = GgufVerifier.verify(file);
        if (problems.isEmpty()) return;
        String shown = problems.stream().limit(PROBLEMS_SHOWN).map(Object::toString).collect(Collectors.joining("; "));
        throw new IllegalArgumentException(model + " is not a sound model file, not loaded: " + shown
                + (problems.size() > PROBLEMS_SHOWN ? "; and " + (problems.size() - PROBLEMS_SHOWN) + " more" : "")
                + " (greta gguf verify lists every problem)");
    }

    public Tokenizer tokenizer() { return tokenizer; }

    public ModelShape shape() { return shape; }

    public SequenceLimit limit() { return limit; }

    public Backend backend() { return backend; }

    public String attentionName() { return attention.name(); }

    public double loadSeconds() { return loadSeconds; }

    public GgufFile file() { return file; }

    public SessionOptions options() { return options; }

    /**
     * Decode steps of the warm-up at most, and the seconds after which it stops taking more. The one-row code of a
     * layer runs once per layer and step, so after a single warm-up step C2 was still compiling through the first
     * second of a timed decode (SmolLM2-135M: 411 compilations after decode began, 124 after 64 warm-up steps;
     * docs/PERFORMANCE.md, seventh session). A model whose steps take long reaches the time cap first, and then the
     * compile time is small beside its decode.
     */
    static final int WARMUP_DECODE_STEPS = 64;
    static final double WARMUP_DECODE_SECONDS = 2.0;

    /**
     * Runs one prompt chunk, then as many decode steps as the request will time (up to
     * {@link #WARMUP_DECODE_STEPS} or {@link #WARMUP_DECODE_SECONDS}, at least one), on positions the real
     * generation overwrites before it reads them, so the JIT has compiled the kernels (and a GPU backend has built
     * its modules) before any timed span starts, as llama-bench's warm-up run does. Returns its seconds,
     * reported as {@code warmup_s}.
     */
    public double warmUp(int[] prompt, int maxNewTokens) {
        checkRequest(prompt, maxNewTokens);
        Stopwatch warmup = Stopwatch.start();
        int rows = Math.min(model.maxRows(), prompt.length);
        model.forward(prompt, 0, rows, 0, cache, attention, true);
        int steps = Math.clamp(maxNewTokens - 1L, 1, WARMUP_DECODE_STEPS);
        Stopwatch decode = Stopwatch.start();
        for (int pos = rows; pos < Math.min(cache.maxSeq(), rows + steps); pos++) {
            model.forward(prompt, 0, 1, pos, cache, attention, true);
            if (decode.seconds() >= WARMUP_DECODE_SECONDS) break;
        }
        return warmup.seconds();
    }

    private void checkRequest(int[] prompt, int maxNewTokens) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt has no tokens: nothing to prefill");
        if (maxNewTokens < 0) throw new IllegalArgumentException("--max-tokens must be >= 0, got " + maxNewTokens);
        limit.check(prompt.length, maxNewTokens);
        ensureCache(prompt.length + maxNewTokens);
    }

    /**
     * Prefills {@code prompt} in chunks, then generates up to {@code maxNewTokens} tokens (the first from the
     * prefill logits, each further one after a single-row forward pass), calling {@code onToken} for each.
     * Refuses, before any compute, a request that exceeds the sequence limit.
     */
    public Generation generate(int[] prompt, int maxNewTokens, Sampler sampler, boolean stopAtEos, IntConsumer onToken) {
        checkRequest(prompt, maxNewTokens);

        Stopwatch prefill = Stopwatch.start();
        backend.startDeviceClock();
        float[] logits = null;
        for (int start = 0; start < prompt.length; start += model.maxRows()) {
            int count = Math.min(model.maxRows(), prompt.length - start);
            boolean lastChunk = start + count == prompt.length;
            logits = model.forward(prompt, start, count, start, cache, attention, lastChunk);
        }
        double prefillSeconds = prefill.seconds();
        OptionalDouble prefillDeviceSeconds = backend.deviceSeconds();
        float[] promptLogits = requireFinite(logits, prompt.length - 1);

        Stopwatch decode = Stopwatch.start();
        int[] generated = new int[maxNewTokens];
        int produced = 0;
        int decodePasses = 0;
        int[] one = new int[1];
        while (produced < maxNewTokens) {
            int next = sampler.sample(logits);
            generated[produced++] = next;
            onToken.accept(next);
            if (produced == maxNewTokens || (stopAtEos && tokenizer.isEndOfGeneration(next))) break;
            one[0] = next;
            int position = prompt.length + produced - 1;
            logits = requireFinite(model.forward(one, 0, 1, position, cache, attention, true), position);
            decodePasses++;
        }
        double decodeSeconds = decode.seconds();
        return new Generation(prompt.length, Arrays.copyOf(generated, produced), prefillSeconds, prefillDeviceSeconds,
                decodeSeconds, decodePasses, promptLogits);
    }

    /**
     * The logits, when every one is a finite number. NaN or infinite logits mean the weights or metadata broke the
     * forward pass; sampling would still pick a token and the run would look like a success with valid timings.
     */
    private static float[] requireFinite(float[] logits, int position) {
        for (int i = 0; i < logits.length; i++) {
            if (!Float.isFinite(logits[i])) {
                throw new IllegalStateException("the logits at position " + position + " are not finite (token " + i
                        + ": " + logits[i] + "): the model's weights or metadata break the forward pass; no result is reported");
            }
        }
        return logits;
    }

    /** The KV cache holds what this request needs (at most the limit); grown only when a request needs more. */
    private void ensureCache(int positions) {
        if (cache != null && cache.maxSeq() >= positions) return;
        if (cache != null) cache.close();
        cache = null;
        cache = backend.kvCache(shape, positions, options.kvType());
    }

    @Override
    public void close() {
        if (cache != null) cache.close();
        backend.close();
        file.close();
    }
}
