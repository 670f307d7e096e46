package dev.greta.bench;

import dev.greta.gguf.GgufFile;
import dev.greta.gguf.GgufMetadata;
import dev.greta.gguf.GgufTensor;
import dev.greta.model.ModelShape;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** The model a sweep ran, identified by content (sha256) and described from its GGUF header. */
public record ModelInfo(String path, String sha256, long sizeBytes, String architecture, String name,
                        ModelShape shape, long parameters, Map<String, Integer> tensorTypes) {

    public static ModelInfo read(Path file) throws IOException {
        try (GgufFile gguf = GgufFile.open(file)) {
            GgufMetadata md = gguf.metadata();
            String arch = md.architecture();
            long params = 0;
            Map<String, Integer> types = new TreeMap<>();
            for (GgufTensor t : gguf.tensors()) {
                params += t.elementCount();
                types.merge(t.type().name(), 1, Integer::sum);
            }
            return new ModelInfo(file.toAbsolutePath().toString(), sha256(file), Files.size(file), arch,
                    md.string("general.name", null), shape(gguf, arch), params, types);
        } catch (IOException | RuntimeException e) { // not a GGUF file this reader understands: bad input
            throw new IllegalArgumentException("model " + file + ": " + e.getMessage(), e);
        }
    }

    /** Layer count, widths and trained context, read the way llama.cpp names the keys ({@code <arch>.*}). */
    private static ModelShape shape(GgufFile gguf, String arch) {
        GgufMetadata md = gguf.metadata();
        int dim = md.integer(arch + ".embedding_length");
        int heads = md.integer(arch + ".attention.head_count");
        int vocab = gguf.hasTensor("token_embd.weight") ? (int) gguf.tensor("token_embd.weight").rows()
                : md.stringArray("tokenizer.ggml.tokens").length;
        return new ModelShape(md.integer(arch + ".block_count"), dim, md.integer(arch + ".feed_forward_length"),
                heads, md.integer(arch + ".attention.head_count_kv", heads),
                md.integer(arch + ".attention.key_length", dim / heads), vocab,
                md.integer(arch + ".context_length"), md.floating(arch + ".attention.layer_norm_rms_epsilon", 1e-5f));
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) digest.update(buf, 0, n);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
