package dev.greta.cli;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greta.gguf.GgufFile;
import dev.greta.tokenizer.Tokenizer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

/** {@code greta tokenize}: shows the tokens a GGUF vocabulary makes of some text, like llama.cpp's llama-tokenize. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Tokenize text with the vocabulary of a GGUF file (vocab-only files work).")
public final class TokenizeCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "PATH", description = "GGUF file whose vocabulary to use.")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--text", paramLabel = "TEXT", description = "Text to tokenize.")
        String text;

        @Option(names = "--file", paramLabel = "FILE", description = "UTF-8 file whose content to tokenize.")
        Path file;
    }

    @Option(names = "--json", description = "Print {\"ids\":[...],\"pieces\":[...],\"count\":N}.")
    boolean json;

    @Option(names = "--no-bos", description = "Do not add the BOS token the vocabulary asks for.")
    boolean noBos;

    @Option(names = "--parse-special", description = "Map special-token text such as <|eot_id|> to its token.")
    boolean parseSpecial;

    @Spec
    CommandSpec spec;

    @JsonPropertyOrder({"ids", "pieces", "count"})
    record Result(int[] ids, List<String> pieces, int count) {}

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String text;
        try {
            text = input.file != null ? InputFiles.readUtf8(input.file, "text file") : input.text;
        } catch (IOException e) {
            return fail(err, e.getMessage());
        }
        try (GgufFile gguf = GgufFile.open(model)) {
            Tokenizer tokenizer = Tokenizer.fromMetadata(gguf.metadata());
            int[] ids = tokenizer.encode(text, !noBos && tokenizer.addBosByDefault(), parseSpecial);
            List<String> pieces = IntStream.of(ids).mapToObj(tokenizer::piece).toList();
            if (json) {
                out.println(new ObjectMapper().writeValueAsString(new Result(ids, pieces, ids.length)));
            } else {
                for (int i = 0; i < ids.length; i++) out.println(ids[i] + "\t'" + pieces.get(i) + "'");
                out.println("Total number of tokens: " + ids.length);
            }
            out.flush();
            return 0;
        } catch (IOException e) {
            return fail(err, InputFiles.describe(e, model));
        } catch (IllegalArgumentException e) {
            return fail(err, model + ": " + e.getMessage());
        }
    }

    private static int fail(PrintWriter err, String message) {
        err.println("greta tokenize: " + message);
        err.flush();
        return 1;
    }
}
