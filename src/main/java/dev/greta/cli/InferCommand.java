package dev.greta.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greta.backend.KvType;
import dev.greta.engine.Backends;
import dev.greta.engine.Generation;
import dev.greta.engine.InferReport;
import dev.greta.engine.PromptTokens;
import dev.greta.engine.SequenceLimit;
import dev.greta.engine.SequenceTooLongException;
import dev.greta.engine.Session;
import dev.greta.engine.SessionOptions;
import dev.greta.engine.Stopwatch;
import dev.greta.model.synth.SyntheticModels;
import dev.greta.sampling.Sampler;
import dev.greta.tokenizer.Tokenizer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.Callable;

/** {@code greta infer}: prefill a prompt, decode, print the text, PERF_TIMING and EXIT_CODE. */
@Command(name = "infer", mixinStandardHelpOptions = true,
        description = {"Run a prompt through prefill and decode; print the text, a PERF_TIMING record and EXIT_CODE.",
                "Exit code: 0 when the run completed, 1 when it failed (model file, memory, non-finite logits), "
                        + "2 when it was refused before any compute (a bad option, a prompt over the sequence limit)."})
public final class InferCommand implements Callable<Integer> {
    /** The request was refused before any compute: a bad option, or a prompt over the sequence limit. */
    static final int EXIT_REFUSED = 2;

    @Option(names = "--model", paramLabel = "PATH", description = "GGUF model (default: the built-in synthetic SmolLM2-135M-shaped model)")
    Path model;

    @ArgGroup(exclusive = true)
    PromptSource prompt = new PromptSource();

    static final class PromptSource {
        @Option(names = "--prompt", paramLabel = "TEXT", description = "prompt text")
        String text;
        @Option(names = "--prompt-file", paramLabel = "FILE", description = "read the prompt text from a file")
        Path file;
        @Option(names = "--prompt-tokens", paramLabel = "N", description = "a deterministic prompt of exactly N tokens")
        Integer tokens;
    }

    @Option(names = "--max-tokens", defaultValue = "32", description = "tokens to generate (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--ctx", paramLabel = "N", description = "max sequence length (default: $" + SequenceLimit.ENV + ", else the model's llama.context_length)")
    Integer ctx;

    @Option(names = "--threads", description = "compute threads (default: all cores)")
    Integer threads;

    @Option(names = "--attn", paramLabel = "SPEC", description = "attention kernel NAME[:k=v,...] (default: $GRETA_ATTN, else flash)")
    String attention;

    @Option(names = "--deterministic", description = "bit-identical logits for any thread count (default: $GRETA_DETERMINISTIC=1)")
    Boolean deterministic;

    @Option(names = "--kv-type", description = "KV cache element type: f32 or f16 (default: f16 on cuda, f32 on cpu)")
    String kvType;

    @Option(names = "--backend", defaultValue = "cpu", description = "cpu or cuda (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--chunk", description = "prompt rows per batched forward pass (default: "
            + SessionOptions.DEFAULT_CHUNK + " on cpu, " + SessionOptions.DEFAULT_CUDA_CHUNK + " on cuda)")
    Integer chunk;

    @Option(names = "--temp", defaultValue = "0.8", description = "temperature; 0 = greedy (default: ${DEFAULT-VALUE})")
    float temperature;

    @Option(names = "--top-k", defaultValue = "40", description = "sample among the k most likely tokens; 0 = all (default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", description = "nucleus sampling threshold (default: ${DEFAULT-VALUE})")
    float topP;

    @Option(names = "--seed", defaultValue = "42", description = "sampling seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--ignore-eos", description = "keep generating past end-of-generation tokens")
    boolean ignoreEos;

    @Option(names = "--no-warmup", negatable = false, description = "skip the untimed warm-up pass (JIT compilation then lands inside prefill_s and decode_s)")
    boolean noWarmup;

    @Option(names = "--profile-ops", description = "record the time of every op (cuda: two CUDA events per op; cpu: "
            + "the wall time of each op) and print PERF_OP lines / op_profile")
    boolean profileOps;

    @Option(names = "--json", description = "print one JSON object instead of text + PERF_TIMING")
    boolean json;

    @Option(names = "--dump-logits", paramLabel = "FILE", description = "write the last prompt position's logits as little-endian float32")
    Path dumpLogits;

    @Override
    public Integer call() throws Exception {
        Stopwatch wall = Stopwatch.start();
        PrintStream out = System.out;
        SessionOptions options;
        Sampler sampler;
        try {
            String attentionSpec = attention != null ? attention : envOr("GRETA_ATTN", "flash");
            Backends.checkAttention(backend, attentionSpec);
            options = new SessionOptions(model, ctx, attentionSpec,
                    deterministic != null ? deterministic : "1".equals(System.getenv("GRETA_DETERMINISTIC")),
                    threads != null ? threads : Runtime.getRuntime().availableProcessors(),
                    kvType != null ? KvType.parse(kvType) : KvType.defaultFor(backend), backend,
                    chunk != null ? chunk : SessionOptions.defaultChunk(backend));
            sampler = new Sampler(temperature, topK, topP, seed);
        } catch (IllegalArgumentException e) {
            return fail(EXIT_REFUSED, e.getMessage());
        }
        try {
            if (options.model() == null) options = options.withModel(SyntheticModels.ensureDefault());
            try (Session session = Session.open(options, System.getenv(SequenceLimit.ENV))) {
                Tokenizer tokenizer = session.tokenizer();
                int[] promptIds = promptIds(tokenizer);
                double warmupSeconds = noWarmup ? 0 : session.warmUp(promptIds, maxTokens);
                if (profileOps) session.backend().profileOps(true);
                ByteArrayOutputStream text = new ByteArrayOutputStream();
                Generation g = session.generate(promptIds, maxTokens, sampler, !ignoreEos, id -> {
                    byte[] bytes = tokenizer.tokenBytes(id);
                    text.writeBytes(bytes);
                    if (!json) {
                        out.write(bytes, 0, bytes.length);
                        out.flush();
                    }
                });
                if (dumpLogits != null) writeLogits(dumpLogits, g.promptLogits());
                InferReport report = report(session, g, text.toString(StandardCharsets.UTF_8), warmupSeconds, wall.seconds());
                if (json) {
                    out.println(new ObjectMapper().writeValueAsString(report));
                } else {
                    out.println();
                    report.perfOpLines().forEach(out::println);
                    out.println(report.perfTimingLine());
                    out.println("EXIT_CODE=0");
                }
                return 0;
            }
        } catch (SequenceTooLongException e) {
            return fail(EXIT_REFUSED, e.getMessage());
        } catch (IOException e) {
            return fail(1, InputFiles.describe(e, options.model()));
        } catch (RuntimeException e) {
            return fail(1, e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }

    private int fail(int code, String message) {
        System.err.println("greta infer: " + message);
        if (!json) System.out.println("EXIT_CODE=" + code);
        return code;
    }

    private int[] promptIds(Tokenizer tokenizer) throws IOException {
        if (prompt.tokens != null) return PromptTokens.exactly(prompt.tokens, tokenizer);
        String text = prompt.file != null ? InputFiles.readUtf8(prompt.file, "prompt file")
                : prompt.text != null ? prompt.text : "Once upon a time";
        return tokenizer.encode(text);
    }

    private InferReport report(Session session, Generation g, String text, double warmupSeconds, double wallSeconds) {
        Double decodeRate = Double.isNaN(g.decodeTokensPerSecond()) ? null : g.decodeTokensPerSecond();
        SessionOptions o = session.options();
        return new InferReport(text, g.tokens(), g.promptTokens(), g.tokens().length, session.loadSeconds(),
                noWarmup ? null : warmupSeconds, g.prefillSeconds(),
                g.prefillDeviceSeconds().isPresent() ? g.prefillDeviceSeconds().getAsDouble() : null, g.decodeSeconds(), g.prefillTokensPerSecond(), decodeRate, wallSeconds,
                session.attentionName(), session.backend().name(), session.backend().threads(), o.kvType().label(),
                o.deterministic(), session.limit().value(), o.chunkSize(), sha256(g.promptLogits()),
                o.model().toString(), session.backend().properties(),
                profileOps ? session.backend().opProfile() : null, 0);
    }

    static void writeLogits(Path file, float[] logits) throws IOException {
        Files.write(file, littleEndian(logits));
    }

    private static byte[] littleEndian(float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return buf.array();
    }

    private static String sha256(float[] values) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(littleEndian(values)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
