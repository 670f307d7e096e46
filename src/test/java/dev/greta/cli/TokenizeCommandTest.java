package dev.greta.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class TokenizeCommandTest {
    private static Path model(String file) {
        Path shared = Path.of("../shared/models");
        return (Files.isDirectory(shared) ? shared : Path.of("/work/shared/models")).resolve(file);
    }

    private record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new TokenizeCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void printsOneLinePerTokenAndTheTotal() {
        Run r = run("--model", model("stories260K.gguf").toString(), "--text", "Once upon a time");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out().lines()).containsExactly(
                "1\t'<s>'", "403\t'▁Once'", "407\t'▁upon'", "261\t'▁a'", "378\t'▁time'", "Total number of tokens: 5");
    }

    @Test
    void writesJsonAndHonoursNoBosAndParseSpecial() throws IOException {
        String model = model("vocab-llama3-bpe.gguf").toString();
        Run r = run("--model", model, "--text", "Hi<|eot_id|>", "--json", "--no-bos", "--parse-special");
        assertThat(r.exitCode()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("ids").toString()).isEqualTo("[13347,128009]");
        assertThat(json.get("pieces").toString()).isEqualTo("[\"Hi\",\"<|eot_id|>\"]");
        assertThat(json.get("count").asInt()).isEqualTo(2);

        JsonNode plain = new ObjectMapper().readTree(run("--model", model, "--text", "Hi<|eot_id|>", "--json").out());
        // BOS by default, and the special text tokenized as plain text (as in tokenizer.reference.json).
        assertThat(plain.get("ids").toString()).isEqualTo("[128000,13347,27,91,68,354,851,91,29]");
        assertThat(plain.get("count").asInt()).isEqualTo(9);
    }

    @Test
    void readsTextFromFile(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("prompt.txt"), "Once upon a time");
        Run r = run("--model", model("stories260K.gguf").toString(), "--file", text.toString(), "--json");
        assertThat(r.exitCode()).isZero();
        assertThat(new ObjectMapper().readTree(r.out()).get("ids").toString()).isEqualTo("[1,403,407,261,378]");
    }

    @Test
    void missingFilesExitWithOneAndSaySo(@TempDir Path dir) {
        Run noModel = run("--model", dir.resolve("absent.gguf").toString(), "--text", "x");
        assertThat(noModel.exitCode()).isEqualTo(1);
        assertThat(noModel.err()).contains("no such file: " + dir.resolve("absent.gguf"));

        Run noText = run("--model", model("stories260K.gguf").toString(), "--file", dir.resolve("absent.txt").toString());
        assertThat(noText.exitCode()).isEqualTo(1);
        assertThat(noText.err()).contains("text file").contains("absent.txt").contains("does not exist");
    }

    @Test
    void aTextFileThatIsNotUtf8OrNotAFileIsNamedWithTheReason(@TempDir Path dir) throws IOException {
        Path latin1 = Files.write(dir.resolve("latin1.txt"), new byte[]{(byte) 0xff, (byte) 0xfe, (byte) 0xc3, 0x28});
        Run notUtf8 = run("--model", model("stories260K.gguf").toString(), "--file", latin1.toString());
        assertThat(notUtf8.exitCode()).isEqualTo(1);
        assertThat(notUtf8.err()).contains("latin1.txt").contains("not valid UTF-8").doesNotContain("stories260K");

        Run directory = run("--model", model("stories260K.gguf").toString(), "--file", dir.toString());
        assertThat(directory.exitCode()).isEqualTo(1);
        assertThat(directory.err()).contains(dir.toString()).contains("is a directory");
    }

    @Test
    void aFileWithoutTokenizerIsAClearError(@TempDir Path dir) throws IOException {
        Path notGguf = Files.write(dir.resolve("bad.gguf"), new byte[]{1, 2, 3, 4, 5, 6, 7, 8});
        Run r = run("--model", notGguf.toString(), "--text", "x");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("bad.gguf").contains("magic");
    }

    @Test
    void textAndFileAreExclusiveAndOneIsRequired() {
        String model = model("stories260K.gguf").toString();
        assertThat(run("--model", model).exitCode()).isEqualTo(2);
        assertThat(run("--model", model, "--text", "a", "--file", "b").exitCode()).isEqualTo(2);
    }
}
