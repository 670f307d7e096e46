package dev.greta.model.synth;

import dev.greta.backend.cpu.Parallel;
import dev.greta.gguf.GgmlType;
import dev.greta.gguf.GgufArray;
import dev.greta.gguf.GgufValue;
import dev.greta.gguf.GgufValueType;
import dev.greta.gguf.GgufWriter;
import dev.greta.tensor.Quantizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generates a random-weight Llama GGUF file of a given shape, deterministically from a seed: the same spec, type
 * and seed always give the same bytes. Data is generated and written row batch by row batch, so even a 7B model
 * never has more than a few MiB of weights in memory.
 *
 * <p>Matrices are drawn with standard deviation {@value #WEIGHT_STD} (as at initialisation in Llama training),
 * norm weights are 1: every matmul then multiplies a unit-RMS input by about 0.02·sqrt(inputs), so activations
 * and logits stay finite and of order 1 through all layers of every preset.
 */
public final class SyntheticModel {
    /** Bumped whenever the bytes generated for a given spec, type and seed change. */
    public static final int GENERATOR_VERSION = 1;
    public static final float WEIGHT_STD = 0.02f;
    public static final List<GgmlType> TYPES = List.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0,
            GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K);
    private static final int BATCH_ELEMENTS = 1 << 22;

    private enum Content { RANDOM, ONES, ROPE_FREQS }

    private final SyntheticSpec spec;
    private final GgmlType type;
    private final long seed;
    private final GgufWriter writer = new GgufWriter();
    private final Map<String, Content> contents = new LinkedHashMap<>();

    private SyntheticModel(SyntheticSpec spec, GgmlType type, long seed) {
        if (!TYPES.contains(type)) throw new IllegalArgumentException("cannot generate " + type + " models (supported: " + TYPES + ")");
        this.spec = spec;
        this.type = type;
        this.seed = seed;
        putMetadata();
        addTensors();
    }

    /** The planned file: metadata and tensor layout, for its header and size. */
    public static GgufWriter plan(SyntheticSpec spec, GgmlType type, long seed) {
        return new SyntheticModel(spec, type, seed).writer;
    }

    /**
     * Writes the model to {@code out} through a temporary file beside it, renamed into place when complete, so
     * {@code out} never holds a partial model.
     */
    public static void write(SyntheticSpec spec, GgmlType type, long seed, Path out, Progress progress) throws IOException {
        SyntheticModel model = new SyntheticModel(spec, type, seed);
        Path dir = out.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        requireRoom(dir, model.writer.fileSize());
        // Not createTempFile: its owner-only permissions would end up on the model.
        Path temp = Files.createFile(dir.resolve("." + out.getFileName() + "." + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".tmp"));
        // A run stopped by a signal (Ctrl-C, a bench timeout) would otherwise leave a partial model of up to gigabytes.
        Thread cleanup = new Thread(() -> temp.toFile().delete());
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            model.writeTo(temp, progress);
            Files.move(temp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(temp);
            throw e;
        } finally {
            removeHook(cleanup);
        }
    }

    /** Refuses up front a model the disk cannot hold, rather than filling the disk and failing part-way. */
    static void requireRoom(Path dir, long bytes) throws IOException {
        long usable = Files.getFileStore(dir).getUsableSpace();
        if (bytes > usable) {
            throw new IOException(String.format("the model needs %,d bytes but %s has only %,d bytes free", bytes, dir, usable));
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: it deletes the temp file, which the move has already renamed
        }
    }

    /**
     * The type a matrix with rows of {@code cols} elements gets: the requested one when rows are whole blocks of
     * it; otherwise, as llama.cpp does for k-quants, a 32-element block type of similar size (Q4_K: Q4_0, Q6_K:
     * Q8_0), and F16 when not even that fits.
     */
    public static GgmlType matrixType(GgmlType requested, long cols) {
        if (cols % requested.blockSize() == 0) return requested;
        GgmlType fallback = switch (requested) {
            case Q4_K -> GgmlType.Q4_0;
            case Q6_K -> GgmlType.Q8_0;
            default -> GgmlType.F16;
        };
        return cols % fallback.blockSize() == 0 ? fallback : GgmlType.F16;
    }

    /** llama.cpp's general.file_type for a model that is mostly {@code type}. */
    static int fileType(GgmlType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            case Q4_K -> 14; // Q4_K_S: every matrix Q4_K
            case Q6_K -> 18;
            case BF16 -> 32;
            default -> throw new IllegalArgumentException(type.name());
        };
    }

    private void putMetadata() {
        put("general.architecture", GgufValue.ofString("llama"));
        put("general.name", GgufValue.ofString("Greta synthetic " + spec.name() + " (random weights)"));
        put("general.file_type", GgufValue.ofUint32(fileType(type)));
        if (type.isQuantized()) put("general.quantization_version", GgufValue.ofUint32(2));
        put("greta.synthetic.generator_version", GgufValue.ofUint32(GENERATOR_VERSION));
        put("greta.synthetic.seed", new GgufValue(GgufValueType.UINT64, seed));
        put("greta.synthetic.spec", GgufValue.ofString(spec.name()));
        put("llama.vocab_size", GgufValue.ofUint32(spec.vocab()));
        put("llama.context_length", GgufValue.ofUint32(spec.contextLength()));
        put("llama.embedding_length", GgufValue.ofUint32(spec.dim()));
        put("llama.block_count", GgufValue.ofUint32(spec.layers()));
        put("llama.feed_forward_length", GgufValue.ofUint32(spec.ffn()));
        put("llama.rope.dimension_count", GgufValue.ofUint32(spec.headDim()));
        put("llama.rope.freq_base", GgufValue.ofFloat32(spec.ropeFreqBase()));
        Llama3RopeScaling scaling = spec.ropeScaling();
        if (scaling != null) {
            put("llama.rope.scaling.type", GgufValue.ofString("llama3"));
            put("llama.rope.scaling.factor", GgufValue.ofFloat32(scaling.factor()));
            put("llama.rope.scaling.low_freq_factor", GgufValue.ofFloat32(scaling.lowFreqFactor()));
            put("llama.rope.scaling.high_freq_factor", GgufValue.ofFloat32(scaling.highFreqFactor()));
            put("llama.rope.scaling.original_context_length", GgufValue.ofUint32(scaling.originalContextLength()));
        }
        put("llama.attention.head_count", GgufValue.ofUint32(spec.heads()));
        put("llama.attention.head_count_kv", GgufValue.ofUint32(spec.kvHeads()));
        put("llama.attention.layer_norm_rms_epsilon", GgufValue.ofFloat32(spec.rmsEps()));
        SyntheticVocabulary vocab = SyntheticVocabulary.of(spec.vocab());
        put("tokenizer.ggml.model", GgufValue.ofString("llama"));
        put("tokenizer.ggml.tokens", GgufValue.ofArray(GgufArray.ofStrings(vocab.tokens())));
        put("tokenizer.ggml.scores", GgufValue.ofArray(GgufArray.ofFloats(vocab.scores())));
        put("tokenizer.ggml.token_type", GgufValue.ofArray(GgufArray.ofInt32(vocab.types())));
        put("tokenizer.ggml.bos_token_id", GgufValue.ofUint32(SyntheticVocabulary.BOS_ID));
        put("tokenizer.ggml.eos_token_id", GgufValue.ofUint32(SyntheticVocabulary.EOS_ID));
        put("tokenizer.ggml.unknown_token_id", GgufValue.ofUint32(SyntheticVocabulary.UNK_ID));
        put("tokenizer.ggml.add_bos_token", GgufValue.ofBool(true));
        put("tokenizer.ggml.add_eos_token", GgufValue.ofBool(false));
    }

    private void put(String key, GgufValue value) { writer.put(key, value); }

    private void addTensors() {
        int dim = spec.dim();
        int qDim = spec.heads() * spec.headDim();
        matrix("token_embd.weight", dim, spec.vocab());
        if (spec.ropeScaling() != null) tensor("rope_freqs.weight", GgmlType.F32, Content.ROPE_FREQS, spec.headDim() / 2);
        for (int i = 0; i < spec.layers(); i++) {
            String p = "blk." + i + ".";
            tensor(p + "attn_norm.weight", GgmlType.F32, Content.ONES, dim);
            matrix(p + "attn_q.weight", dim, qDim);
            matrix(p + "attn_k.weight", dim, spec.kvDim());
            matrix(p + "attn_v.weight", dim, spec.kvDim());
            matrix(p + "attn_output.weight", qDim, dim);
            tensor(p + "ffn_norm.weight", GgmlType.F32, Content.ONES, dim);
            matrix(p + "ffn_gate.weight", dim, spec.ffn());
            matrix(p + "ffn_up.weight", dim, spec.ffn());
            matrix(p + "ffn_down.weight", spec.ffn(), dim);
        }
        tensor("output_norm.weight", GgmlType.F32, Content.ONES, dim);
        if (!spec.tiedEmbeddings()) matrix("output.weight", dim, spec.vocab());
    }

    private void matrix(String name, long cols, long rows) {
        tensor(name, matrixType(type, cols), Content.RANDOM, cols, rows);
    }

    private void tensor(String name, GgmlType t, Content content, long... dims) {
        writer.addTensor(name, t, dims);
        contents.put(name, content);
    }

    private void writeTo(Path path, Progress progress) throws IOException {
        long total = writer.dataSize();
        WeightGenerator weights = new WeightGenerator(seed);
        try (Parallel pool = new Parallel(Parallel.defaultThreads())) {
            writer.write(path, (tensor, sink) -> {
                switch (contents.get(tensor.name())) {
                    case ONES -> {
                        float[] ones = new float[(int) tensor.elementCount()];
                        Arrays.fill(ones, 1f);
                        sink.write(Quantizer.quantize(tensor.type(), ones, 0, ones.length));
                    }
                    case ROPE_FREQS -> {
                        float[] f = spec.ropeScaling().frequencyDivisors(spec.headDim(), spec.ropeFreqBase());
                        sink.write(Quantizer.quantize(tensor.type(), f, 0, f.length));
                    }
                    case RANDOM -> writeRandom(tensor, sink, weights, pool, total, progress);
                }
                progress.update(tensor.offset() + tensor.byteSize(), total, tensor.name());
            });
        }
        progress.finish(total);
    }

    /** Generates and encodes batches of rows in parallel (each row from its own generator), written in order. */
    private static void writeRandom(GgufWriter.PlannedTensor tensor, GgufWriter.DataSink sink, WeightGenerator weights,
                                    Parallel pool, long total, Progress progress) throws IOException {
        int cols = Math.toIntExact(tensor.cols());
        long rows = tensor.rows();
        int rowBytes = Math.toIntExact(tensor.type().bytesFor(cols));
        int batchRows = (int) Math.min(rows, Math.max(1, BATCH_ELEMENTS / cols));
        long key = WeightGenerator.tensorKey(tensor.name());
        byte[] batch = new byte[batchRows * rowBytes];
        float[][] scratch = new float[pool.threads()][];
        for (long first = 0; first < rows; first += batchRows) {
            long start = first;
            int n = (int) Math.min(batchRows, rows - first);
            pool.forRange(n, 1, (from, to, worker) -> {
                int count = (to - from) * cols;
                float[] values = scratch[worker];
                if (values == null || values.length < count) values = scratch[worker] = new float[count];
                for (int r = from; r < to; r++) weights.fillRow(key, start + r, WEIGHT_STD, values, (r - from) * cols, cols);
                byte[] encoded = Quantizer.quantize(tensor.type(), values, 0, count);
                System.arraycopy(encoded, 0, batch, from * rowBytes, encoded.length);
            });
            sink.write(java.nio.ByteBuffer.wrap(batch, 0, n * rowBytes));
            progress.update(tensor.offset() + (first + n) * rowBytes, total, tensor.name());
        }
    }
}
