package dev.greta.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greta.gguf.GgufFile;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * A stand-in for {@code greta infer --json}, run as a real child JVM by the executor tests. It takes the same
 * flags and prints the contract's JSON; system properties make it misbehave on demand:
 * {@code fake.sleepMs} (work time), {@code fake.crash} (exit 1 with a stack trace), {@code fake.promptShortBy}
 * (report fewer prompt tokens), {@code fake.attn} (report another attention variant), {@code fake.slowdown}
 * (multiply the prefill time).
 * Like the engine, it refuses (exit 2) a sequence longer than --ctx, or than the model's context_length without it.
 */
public final class FakeInferMain implements Callable<Integer> {
    @Option(names = "--model", required = true) Path model;
    @Option(names = "--prompt-tokens", required = true) int promptTokens;
    @Option(names = "--max-tokens", required = true) int maxTokens;
    @Option(names = "--ctx") Integer ctx;
    @Option(names = "--attn", required = true) String attn;
    @Option(names = "--threads", required = true) int threads;
    @Option(names = "--kv-type", required = true) String kvType;
    @Option(names = "--backend", required = true) String backend;
    @Option(names = "--deterministic") boolean deterministic;
    @Option(names = "--json", required = true) boolean json;

    public static void main(String[] args) {
        if (!args[0].equals("infer")) throw new IllegalArgumentException("expected the infer subcommand");
        System.exit(new CommandLine(new FakeInferMain()).execute(java.util.Arrays.copyOfRange(args, 1, args.length)));
    }

    @Override
    public Integer call() throws Exception {
        int limit;
        try (GgufFile gguf = GgufFile.open(model)) {
            limit = gguf.metadata().integer(gguf.metadata().architecture() + ".context_length");
        }
        System.err.println("fake infer: loading " + model);
        int maxSeqLen = ctx != null ? ctx : limit; // like the engine: --ctx wins over the model's context_length
        if (promptTokens + maxTokens > maxSeqLen) {
            System.err.println("greta infer: prompt of " + promptTokens + " tokens + " + maxTokens + " new tokens = "
                    + (promptTokens + maxTokens) + " exceeds the max sequence length " + maxSeqLen + " (from "
                    + (ctx != null ? "--ctx" : "llama.context_length") + "). Nothing was computed.");
            return 2;
        }
        if (Boolean.getBoolean("fake.crash")) {
            new IllegalStateException("simulated kernel crash at ctx " + promptTokens).printStackTrace();
            return 1;
        }
        Thread.sleep(Long.getLong("fake.sleepMs", 0));
        String resolved = System.getProperty("fake.attn", attn.equals("flash") ? "flash:q=64,kv=32" : attn);
        double quadratic = resolved.startsWith("flash") ? 2e-8 : 1e-7; // so variants differ in the reports
        double prefillS = (1e-5 * promptTokens + quadratic * promptTokens * promptTokens)
                * Double.parseDouble(System.getProperty("fake.slowdown", "1"));
        double decodeS = 0.001 * maxTokens;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("text", "fake");
        out.put("gen_token_ids", List.of(promptTokens % 97, 7));
        out.put("prompt_tokens", promptTokens - Integer.getInteger("fake.promptShortBy", 0));
        out.put("gen_tokens", maxTokens);
        out.put("model_load_s", 0.05);
        out.put("prefill_s", prefillS);
        out.put("decode_s", decodeS);
        out.put("prefill_tok_s", promptTokens / prefillS);
        out.put("decode_tok_s", maxTokens / decodeS);
        out.put("wall_s", 0.05 + prefillS + decodeS);
        out.put("attn_impl", resolved);
        out.put("backend", backend);
        out.put("threads", threads);
        out.put("kv_type", kvType);
        out.put("deterministic", deterministic);
        out.put("max_seq_len", maxSeqLen);
        out.put("logits_sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest((promptTokens + "|" + resolved).getBytes(StandardCharsets.UTF_8))));
        out.put("model", model.toString());
        out.put("backend_properties", Map.of("vector_bits", 512));
        out.put("exit_code", 0);
        System.out.println(new ObjectMapper().writeValueAsString(out));
        return 0;
    }
}
