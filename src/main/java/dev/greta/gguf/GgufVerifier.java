package dev.greta.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a GGUF file beyond what opening it needs: every tensor's range, alignment and size, overlaps, the
 * llama architecture keys and the tensor shapes they imply, the tokenizer arrays, and optionally the data
 * itself for NaN/Inf. Lists every problem it finds; a file is clean when the list is empty.
 */
public final class GgufVerifier {

    /** One problem: the field or tensor concerned and what is wrong with it. */
    public record Problem(String field, String message) {
        @Override
        public String toString() { return field + ": " + message; }
    }

    /** Architectures with the llama layout of keys and tensors (as ModelShapes loads them). */
    public static final java.util.Set<String> LLAMA_LIKE = java.util.Set.of("llama", "mistral");
    static final List<String> LLAMA_REQUIRED_KEYS = List.of("context_length", "embedding_length", "block_count",
            "feed_forward_length", "attention.head_count", "attention.layer_norm_rms_epsilon");
    private static final List<String> TOKEN_ID_KEYS = List.of("bos_token_id", "eos_token_id", "unknown_token_id",
            "padding_token_id", "separator_token_id");

    private final List<Problem> problems = new ArrayList<>();

    private GgufVerifier() {}

    /** Every problem in the file at {@code path}; with {@code scanData} also non-finite values in its tensors. */
    public static List<Problem> verify(Path path, boolean scanData) throws IOException {
        GgufFile.requireRegularFile(path);
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment seg = ch.size() == 0 ? MemorySegment.NULL.reinterpret(0)
                    : ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return verify(seg, scanData);
        }
    }

    /** The structural problems (no data scan) of a file already open, without mapping it again. */
    public static List<Problem> verify(GgufFile file) {
        return verify(file.mapping(), false);
    }

    static List<Problem> verify(MemorySegment file, boolean scanData) {
        GgufVerifier v = new GgufVerifier();
        List<GgufFormatException> tensorProblems = new ArrayList<>();
        GgufReader.Parsed parsed;
        try {
            parsed = GgufReader.parseCollecting(file, tensorProblems);
        } catch (GgufFormatException e) {
            v.add(e.field(), e.getMessage().substring(e.field().length() + 1).strip());
            return v.problems;
        }
        for (GgufFormatException e : tensorProblems) v.add(e.field(), e.getMessage().substring(e.field().length() + 1).strip());
        v.checkOverlaps(parsed.tensors());
        Map<String, GgufTensor> byName = new LinkedHashMap<>();
        for (GgufTensor t : parsed.tensors()) byName.put(t.name(), t);
        v.checkArchitecture(parsed.metadata(), byName);
        v.checkTokenizer(parsed.metadata(), byName);
        if (scanData) {
            for (GgufTensor t : parsed.tensors()) v.checkFinite(t);
        }
        return v.problems;
    }

    private void add(String field, String message) { problems.add(new Problem(field, message)); }

    private void checkOverlaps(List<GgufTensor> tensors) {
        List<GgufTensor> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparingLong(GgufTensor::offset));
        for (int i = 1; i < sorted.size(); i++) {
            GgufTensor prev = sorted.get(i - 1);
            GgufTensor t = sorted.get(i);
            if (t.offset() < prev.offset() + prev.byteSize()) {
                add("tensor '" + t.name() + "' data", "bytes from " + t.offset() + " overlap tensor '" + prev.name()
                        + "' [" + prev.offset() + ", " + (prev.offset() + prev.byteSize()) + ")");
            }
        }
    }

    private void checkArchitecture(GgufMetadata md, Map<String, GgufTensor> tensors) {
        if (!md.has("general.architecture")) {
            add("general.architecture", "missing");
            return;
        }
        String arch = stringOrProblem(md, "general.architecture");
        if (!LLAMA_LIKE.contains(arch)) return;
        String p = arch + ".";
        boolean complete = true;
        for (String k : LLAMA_REQUIRED_KEYS) {
            if (!md.has(p + k)) {
                add(p + k, "missing (required for " + arch + ")");
                complete = false;
            }
        }
        if (!complete) return;
        // Each value is checked on its own, so one bad value does not hide the others; checks that need a value
        // (0 when it is bad) are skipped.
        int dim = positive(md, p + "embedding_length");
        int layers = positive(md, p + "block_count");
        int ffn = positive(md, p + "feed_forward_length");
        int heads = positive(md, p + "attention.head_count");
        positive(md, p + "context_length");
        int kvHeads = md.has(p + "attention.head_count_kv") ? positive(md, p + "attention.head_count_kv") : heads;
        positiveNumber(md, p + "attention.layer_norm_rms_epsilon");
        if (heads > 0 && kvHeads > 0 && heads % kvHeads != 0) {
            add(p + "attention.head_count_kv", kvHeads + " does not divide head_count " + heads);
        }
        boolean explicitHeadDim = md.has(p + "attention.key_length");
        int headDim = explicitHeadDim ? positive(md, p + "attention.key_length") : heads > 0 ? dim / heads : 0;
        if (!explicitHeadDim && heads > 0 && dim % heads != 0) {
            add(p + "attention.head_count", heads + " does not divide embedding_length " + dim);
        }
        if (md.has(p + "rope.dimension_count")) {
            Integer ropeDim = integerOrProblem(md, p + "rope.dimension_count");
            // RoPE rotates pairs of dimensions.
            if (ropeDim != null && (ropeDim <= 0 || ropeDim % 2 != 0)) {
                add(p + "rope.dimension_count", "must be a positive even number, got " + ropeDim);
            } else if (ropeDim != null && headDim > 0 && ropeDim > headDim) {
                add(p + "rope.dimension_count", ropeDim + " exceeds the head size " + headDim);
            }
        }
        for (String key : List.of("rope.freq_base", "rope.scaling.factor", "rope.scaling.low_freq_factor",
                "rope.scaling.high_freq_factor")) {
            if (md.has(p + key)) positiveNumber(md, p + key);
        }
        if (md.has(p + "rope.scaling.original_context_length")) positive(md, p + "rope.scaling.original_context_length");
        if (md.has(p + "rope.scaling.low_freq_factor") && md.has(p + "rope.scaling.high_freq_factor")
                && !(md.floating(p + "rope.scaling.high_freq_factor") > md.floating(p + "rope.scaling.low_freq_factor"))) {
            add(p + "rope.scaling.high_freq_factor", "must exceed rope.scaling.low_freq_factor");
        }
        if (!tensors.isEmpty() && dim > 0 && layers > 0 && ffn > 0 && headDim > 0 && kvHeads > 0) {
            checkLlamaTensors(tensors, dim, layers, ffn, heads * headDim, kvHeads * headDim);
        }
    }

    private void checkLlamaTensors(Map<String, GgufTensor> tensors, int dim, int layers, int ffn, int qDim, int kvDim) {
        GgufTensor embd = tensors.get("token_embd.weight");
        if (embd == null) {
            add("token_embd.weight", "missing");
        } else if (embd.dims().length != 2 || embd.dims()[0] != dim) {
            add("token_embd.weight", "shape " + embd.shape() + " should be [" + dim + ", vocab]");
        }
        long vocab = embd != null && embd.dims().length == 2 ? embd.dims()[1] : -1;
        expectShape(tensors, "output_norm.weight", true, dim);
        if (vocab > 0) expectShape(tensors, "output.weight", false, dim, vocab);
        // Bound the per-layer checks by the blocks that exist, so a huge block_count is one problem, not millions.
        int present = blocksPresent(tensors);
        if (present != layers) add("llama.block_count", layers + " blocks declared, tensors exist for " + present);
        for (int i = 0; i < Math.min(layers, present); i++) {
            String p = "blk." + i + ".";
            expectShape(tensors, p + "attn_norm.weight", true, dim);
            expectShape(tensors, p + "attn_q.weight", true, dim, qDim);
            expectShape(tensors, p + "attn_k.weight", true, dim, kvDim);
            expectShape(tensors, p + "attn_v.weight", true, dim, kvDim);
            expectShape(tensors, p + "attn_output.weight", true, qDim, dim);
            expectShape(tensors, p + "ffn_norm.weight", true, dim);
            expectShape(tensors, p + "ffn_gate.weight", true, dim, ffn);
            expectShape(tensors, p + "ffn_up.weight", true, dim, ffn);
            expectShape(tensors, p + "ffn_down.weight", true, ffn, dim);
        }
    }

    /** 1 + the highest N of a tensor named blk.N.* (N below the tensor count), or 0. */
    private static int blocksPresent(Map<String, GgufTensor> tensors) {
        int max = -1;
        for (String name : tensors.keySet()) {
            if (!name.startsWith("blk.")) continue;
            int dot = name.indexOf('.', 4);
            if (dot < 0) continue;
            try {
                int block = Integer.parseInt(name.substring(4, dot));
                if (block < tensors.size()) max = Math.max(max, block); // a file cannot hold more blocks than tensors
            } catch (NumberFormatException ignored) {
                // not a block tensor after all
            }
        }
        return max + 1;
    }

    private void expectShape(Map<String, GgufTensor> tensors, String name, boolean required, long... dims) {
        GgufTensor t = tensors.get(name);
        if (t == null) {
            if (required) add(name, "missing (expected shape " + Arrays.toString(dims) + ")");
        } else if (!Arrays.equals(t.dims(), dims)) {
            add(name, "shape " + t.shape() + " should be " + Arrays.toString(dims));
        }
    }

    private void checkTokenizer(GgufMetadata md, Map<String, GgufTensor> tensors) {
        String tokensKey = "tokenizer.ggml.tokens";
        if (!md.has(tokensKey)) return;
        int n = arrayLength(md, tokensKey, GgufValueType.STRING);
        if (n < 0) return;
        if (!md.has("tokenizer.ggml.model")) add("tokenizer.ggml.model", "missing while " + tokensKey + " is present");
        for (String key : List.of("tokenizer.ggml.scores", "tokenizer.ggml.token_type")) {
            if (!md.has(key)) continue;
            int len = arrayLength(md, key, null);
            if (len >= 0 && len != n) add(key, "has " + len + " entries but " + tokensKey + " has " + n);
        }
        for (String k : TOKEN_ID_KEYS) {
            String key = "tokenizer.ggml." + k;
            if (!md.has(key)) continue;
            GgufValue v = md.get(key);
            if (!v.type().isInteger()) add(key, "must be an integer, got " + GgufValueText.describeType(v));
            else if (!isNoToken(v) && (v.asLong() < 0 || v.asLong() >= n)) add(key, "token id " + v.display() + " is outside the vocabulary of " + n);
        }
        GgufTensor embd = tensors.get("token_embd.weight");
        if (embd != null && embd.dims().length == 2 && embd.dims()[1] != n) {
            add("token_embd.weight", "has " + embd.dims()[1] + " rows but the vocabulary has " + n + " tokens");
        }
        if (md.has("llama.vocab_size")) {
            GgufValue v = md.get("llama.vocab_size");
            if (!v.type().isInteger() || v.asLong() != n) add("llama.vocab_size", v.display() + " differs from the " + n + " tokens");
        }
    }

    /** -1 (as a signed or 32-bit unsigned value) is how llama.cpp's converter marks a special token as absent. */
    private static boolean isNoToken(GgufValue v) {
        return v.asLong() == -1 || (v.type() == GgufValueType.UINT32 && v.asLong() == 0xFFFF_FFFFL);
    }

    /** The length of an array (of {@code element} type when given), or -1 after adding a problem. */
    private int arrayLength(GgufMetadata md, String key, GgufValueType element) {
        GgufValue v = md.get(key);
        if (v.type() != GgufValueType.ARRAY) {
            add(key, "must be an array, got " + GgufValueText.describeType(v));
            return -1;
        }
        GgufArray a = (GgufArray) v.value();
        if (element != null && a.elementType() != element) {
            add(key, "must be an array of " + GgufValueText.shortName(element) + ", got " + GgufValueText.describeType(v));
            return -1;
        }
        return a.length();
    }

    private String stringOrProblem(GgufMetadata md, String key) {
        GgufValue v = md.get(key);
        if (v.type() == GgufValueType.STRING) return (String) v.value();
        add(key, "must be a string, got " + GgufValueText.describeType(v));
        return null;
    }

    /** The value when it is a positive integer; otherwise the problem is recorded and 0 returned. */
    private int positive(GgufMetadata md, String key) {
        Integer v = integerOrProblem(md, key);
        if (v == null) return 0;
        if (v <= 0) {
            add(key, "must be positive, got " + v);
            return 0;
        }
        return v;
    }

    /** The integer value, or null with the problem recorded when it is not an integer that fits an int. */
    private Integer integerOrProblem(GgufMetadata md, String key) {
        try {
            return md.integer(key);
        } catch (IllegalArgumentException e) {
            add(key, e.getMessage());
            return null;
        }
    }

    private void positiveNumber(GgufMetadata md, String key) {
        float v;
        try {
            v = md.floating(key);
        } catch (IllegalArgumentException e) {
            add(key, e.getMessage());
            return;
        }
        if (!(v > 0) || !Float.isFinite(v)) add(key, "must be a positive number, got " + v);
    }

    private void checkFinite(GgufTensor t) {
        NonFiniteScan.Result r = NonFiniteScan.scan(t);
        if (r.clean()) return;
        String unit = r.perBlock() ? "block" : "element";
        add("tensor '" + t.name() + "' data", r.count() + (r.perBlock() ? " " + t.type() + " blocks with a NaN/Inf scale" : " NaN/Inf values")
                + " (first at " + unit + " " + r.first() + ")");
    }
}
