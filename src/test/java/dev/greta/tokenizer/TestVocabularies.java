package dev.greta.tokenizer;

import dev.greta.gguf.GgufFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Locates the shared test models and loads each vocabulary once per test JVM. */
final class TestVocabularies {
    static final String STORIES = "stories260K.gguf";
    static final String LLAMA2_SPM = "vocab-llama2-spm.gguf";
    static final String LLAMA3_BPE = "vocab-llama3-bpe.gguf";

    private static final Map<String, Tokenizer> LOADED = new ConcurrentHashMap<>();

    private TestVocabularies() {}

    /** {@code ../shared/models} beside the repository root (the CI contract), else the workstation path. */
    static Path modelsDir() {
        for (Path candidate : new Path[]{Path.of("../shared/models"), Path.of("/work/shared/models")}) {
            if (Files.isDirectory(candidate)) return candidate;
        }
        throw new IllegalStateException("test models not found: expected ../shared/models beside the repository root");
    }

    static Path model(String file) { return modelsDir().resolve(file); }

    static Tokenizer tokenizer(String file) {
        return LOADED.computeIfAbsent(file, f -> {
            try (GgufFile gguf = GgufFile.open(model(f))) {
                return Tokenizer.fromMetadata(gguf.metadata());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
