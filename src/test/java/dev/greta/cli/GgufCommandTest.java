package dev.greta.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greta.TestModels;
import dev.greta.gguf.GgufFile;
import dev.greta.gguf.GgufTensor;
import dev.greta.gguf.GgufValueType;
import dev.greta.gguf.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class GgufCommandTest {
    @TempDir
    Path dir;

    /** type, value given to set, the text get prints back, the GGUF type stored. */
    record Case(String type, String value, String printed, GgufValueType stored) {}

    private static final List<Case> CASES = List.of(
            new Case("u8", "255", "255", GgufValueType.UINT8),
            new Case("i8", "-128", "-128", GgufValueType.INT8),
            new Case("u16", "65535", "65535", GgufValueType.UINT16),
            new Case("i16", "-32768", "-32768", GgufValueType.INT16),
            new Case("u32", "4294967295", "4294967295", GgufValueType.UINT32),
            new Case("i32", "-2147483648", "-2147483648", GgufValueType.INT32),
            new Case("u64", "18446744073709551615", "18446744073709551615", GgufValueType.UINT64),
            new Case("i64", "-9223372036854775808", "-9223372036854775808", GgufValueType.INT64),
            new Case("f32", "1e-5", "1.0E-5", GgufValueType.FLOAT32),
            new Case("f32", "3.4028235e38", "3.4028235E38", GgufValueType.FLOAT32),
            new Case("f32", "NaN", "NaN", GgufValueType.FLOAT32),
            new Case("f64", "2.2250738585072014E-308", "2.2250738585072014E-308", GgufValueType.FLOAT64),
            new Case("bool", "false", "false", GgufValueType.BOOL),
            new Case("string", "héllo = wörld ▁ \"q\"", "héllo = wörld ▁ \"q\"", GgufValueType.STRING),
            new Case("string", "", "", GgufValueType.STRING),
            new Case("u8[]", "[0, 255]", "[0,255]", GgufValueType.ARRAY),
            new Case("i32[]", "[-1,2,3]", "[-1,2,3]", GgufValueType.ARRAY),
            new Case("u64[]", "[18446744073709551615, 0]", "[18446744073709551615,0]", GgufValueType.ARRAY),
            new Case("f32[]", "[1e-5, -0.0, 0.1]", "[1.0E-5,-0.0,0.1]", GgufValueType.ARRAY),
            new Case("f64[]", "[0.1]", "[0.1]", GgufValueType.ARRAY),
            new Case("bool[]", "[true,false]", "[true,false]", GgufValueType.ARRAY),
            new Case("string[]", "[\"a\", \"=b\", \"\"]", "[\"a\",\"=b\",\"\"]", GgufValueType.ARRAY));

    @Test
    void setThenGetRoundTripsEveryValueType() throws IOException {
        Path file = TestFiles.write(dir.resolve("m.gguf"), TestFiles.everyTypeFile());
        Map<String, String> tensorsBefore = tensorHashes(file);
        List<String> resetAll = new java.util.ArrayList<>(List.of("set", file.toString()));
        for (int i = 0; i < CASES.size(); i++) {
            Case c = CASES.get(i);
            String key = "rt." + i;
            CommandRunner set = CommandRunner.run(new GgufCommand(), "set", file.toString(), key + "=" + c.value(), "--type", c.type());
            assertThat(set.code()).as(c + " " + set.err()).isZero();
            CommandRunner get = CommandRunner.run(new GgufCommand(), "get", file.toString(), key);
            assertThat(get.code()).isZero();
            assertThat(get.out()).as(c.toString()).isEqualTo(c.printed() + System.lineSeparator());
            resetAll.add(key + "=" + c.printed());
        }
        // Setting every printed text again, without --type, keeps each key's type and value.
        CommandRunner again = CommandRunner.run(new GgufCommand(), resetAll.toArray(String[]::new));
        assertThat(again.code()).as(again.err()).isZero();
        for (int i = 0; i < CASES.size(); i++) {
            Case c = CASES.get(i);
            assertThat(CommandRunner.run(new GgufCommand(), "get", file.toString(), "rt." + i).out()).as(c.toString())
                    .isEqualTo(c.printed() + System.lineSeparator());
            try (GgufFile f = GgufFile.open(file)) {
                assertThat(f.metadata().get("rt." + i).type()).as(c.toString()).isEqualTo(c.stored());
            }
        }
        assertThat(tensorHashes(file)).isEqualTo(tensorsBefore);
    }

    @Test
    void existingKeyKeepsItsTypeAndMisfitValuesAreErrors() throws IOException {
        Path file = TestFiles.write(dir.resolve("m.gguf"), TestFiles.everyTypeFile());
        byte[] before = Files.readAllBytes(file);
        CommandRunner tooBig = CommandRunner.run(new GgufCommand(), "set", file.toString(), "t.u8=256");
        assertThat(tooBig.code()).isEqualTo(1);
        assertThat(tooBig.err()).contains("t.u8 (u8): '256' does not fit u8");
        CommandRunner notBool = CommandRunner.run(new GgufCommand(), "set", file.toString(), "t.bool=yes");
        assertThat(notBool.err()).contains("is not a bool");
        CommandRunner floatRange = CommandRunner.run(new GgufCommand(), "set", file.toString(), "t.f32=1e39");
        assertThat(floatRange.err()).contains("does not fit f32");
        assertThat(CommandRunner.run(new GgufCommand(), "set", file.toString(), "noequals").err()).contains("is not KEY=VALUE");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);

        assertThat(CommandRunner.run(new GgufCommand(), "set", file.toString(), "t.u32=7").code()).isZero();
        assertThat(CommandRunner.run(new GgufCommand(), "set", file.toString(), "--type", "u64", "t.i8=7").code()).isZero();
        assertThat(CommandRunner.run(new GgufCommand(), "set", file.toString(), "new.count=12", "new.eps=1e-6", "new.flag=true", "new.name=x").code()).isZero();
        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.metadata().get("t.u32").type()).isEqualTo(GgufValueType.UINT32);
            assertThat(f.metadata().get("t.i8").type()).isEqualTo(GgufValueType.UINT64);
            assertThat(f.metadata().get("new.count").type()).isEqualTo(GgufValueType.UINT32);
            assertThat(f.metadata().get("new.eps").type()).isEqualTo(GgufValueType.FLOAT32);
            assertThat(f.metadata().get("new.flag").type()).isEqualTo(GgufValueType.BOOL);
            assertThat(f.metadata().get("new.name").type()).isEqualTo(GgufValueType.STRING);
        }
    }

    @Test
    void contextLengthFixOfARealModelInOneCommand() throws IOException {
        Path model = Files.copy(TestModels.file("stories260K.gguf"), dir.resolve("stories.gguf"));
        Map<String, String> tensorsBefore = tensorHashes(model);
        assertThat(CommandRunner.run(new GgufCommand(), "get", model.toString(), "llama.context_length").out().strip()).isEqualTo("2048");
        CommandRunner set = CommandRunner.run(new GgufCommand(), "set", model.toString(), "llama.context_length=32768");
        assertThat(set.code()).as(set.err()).isZero();
        assertThat(set.out()).contains("llama.context_length = 32768 (u32)");
        assertThat(CommandRunner.run(new GgufCommand(), "get", model.toString(), "llama.context_length").out().strip()).isEqualTo("32768");
        assertThat(tensorHashes(model)).isEqualTo(tensorsBefore);
        assertThat(CommandRunner.run(new GgufCommand(), "verify", "--data", model.toString()).code()).isZero();
    }

    @Test
    void outputOptionLeavesTheSourceAlone() throws IOException {
        Path file = TestFiles.write(dir.resolve("m.gguf"), TestFiles.everyTypeFile());
        byte[] before = Files.readAllBytes(file);
        Path out = dir.resolve("out.gguf");
        assertThat(CommandRunner.run(new GgufCommand(), "set", file.toString(), "a.b=1", "-o", out.toString()).code()).isZero();
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        assertThat(CommandRunner.run(new GgufCommand(), "get", out.toString(), "a.b").out().strip()).isEqualTo("1");
    }

    @Test
    void getOfAMissingKeyOrFileExitsOneWithAMessage() throws IOException {
        Path file = TestFiles.write(dir.resolve("m.gguf"), TestFiles.everyTypeFile());
        CommandRunner missing = CommandRunner.run(new GgufCommand(), "get", file.toString(), "no.such.key");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.out()).isEmpty();
        assertThat(missing.err()).contains("key 'no.such.key' is not in");
        CommandRunner noFile = CommandRunner.run(new GgufCommand(), "get", dir.resolve("absent.gguf").toString(), "k");
        assertThat(noFile.code()).isEqualTo(1);
        assertThat(noFile.err()).contains("no such file");
        Path bad = TestFiles.write(dir.resolve("bad.gguf"), new byte[]{'G', 'G', 'U', 'X', 3, 0, 0, 0});
        assertThat(CommandRunner.run(new GgufCommand(), "show", bad.toString()).err()).contains("magic at offset 0");
    }

    @Test
    void showPrintsHeaderMetadataTensorsAndTotals() throws IOException {
        Path model = TestModels.file("stories260K.gguf");
        CommandRunner show = CommandRunner.run(new GgufCommand(), "show", model.toString());
        assertThat(show.code()).isZero();
        assertThat(show.out())
                .contains("GGUF v3", "alignment 32", "data offset")
                .containsPattern("general\\.architecture\\s+string\\s+\"llama\"")
                .containsPattern("tokenizer\\.ggml\\.tokens\\s+string\\[512\\]\\s+\\[\"<unk>\",\"<s>\",\"</s>\",.*, \\.\\.\\. 504 more\\]")
                .containsPattern("blk\\.0\\.attn_q\\.weight\\s+F32\\s+\\[64, 64\\]\\s+\\d+\\s+16384")
                .containsPattern("F32\\s+\\d+ tensors");

        JsonNode json = new ObjectMapper().readTree(CommandRunner.run(new GgufCommand(), "show", "--json", model.toString()).out());
        assertThat(json.get("version").asInt()).isEqualTo(3);
        assertThat(json.get("alignment").asInt()).isEqualTo(32);
        assertThat(json.get("tensor_count").asInt()).isEqualTo(json.get("tensors").size());
        JsonNode tokens = null;
        for (JsonNode e : json.get("metadata")) if (e.get("key").asText().equals("tokenizer.ggml.tokens")) tokens = e;
        assertThat(tokens).isNotNull();
        assertThat(tokens.get("type").asText()).isEqualTo("string[512]");
        assertThat(tokens.get("length").asInt()).isEqualTo(512);
        assertThat(tokens.get("truncated").asBoolean()).isTrue();
        assertThat(tokens.get("value").size()).isEqualTo(8);
        JsonNode first = json.get("tensors").get(0);
        assertThat(first.get("shape").isArray()).isTrue();
        long sum = 0;
        for (JsonNode t : json.get("totals")) sum += t.get("bytes").asLong();
        assertThat(json.get("total_bytes").asLong()).isEqualTo(sum).isPositive();
    }

    @Test
    void verifyExitsZeroOnlyWhenClean() throws IOException {
        Path clean = Files.copy(TestModels.file("synth-tiny-Q4_K_M.gguf"), dir.resolve("q.gguf"));
        CommandRunner ok = CommandRunner.run(new GgufCommand(), "verify", "--data", clean.toString());
        assertThat(ok.code()).as(ok.out()).isZero();
        assertThat(ok.out()).contains("OK (structure and data)");
        CommandRunner.run(new GgufCommand(), "set", "--force", clean.toString(), "llama.block_count=3", "tokenizer.ggml.bos_token_id=100000");
        CommandRunner bad = CommandRunner.run(new GgufCommand(), "verify", clean.toString());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.out()).contains("llama.block_count: 3 blocks declared, tensors exist for 2", "tokenizer.ggml.bos_token_id: token id 100000 is outside", "problems");
    }

    @Test
    void keyLongerThanTheReaderAcceptsIsRefusedAndTheFileStaysUsable() throws IOException {
        Path file = TestFiles.write(dir.resolve("m.gguf"), TestFiles.everyTypeFile());
        byte[] before = Files.readAllBytes(file);
        CommandRunner set = CommandRunner.run(new GgufCommand(), "set", file.toString(), "k".repeat(70_000) + "=1");
        assertThat(set.code()).isEqualTo(1);
        assertThat(set.err()).contains("metadata key of 70000 bytes exceeds the limit of 65536");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        assertThat(listing()).containsExactly("m.gguf");
        assertThat(CommandRunner.run(new GgufCommand(), "show", file.toString()).code()).isZero();
    }

    @Test
    void changesThatBreakTheModelAreRefusedUnlessForced() throws IOException {
        Path model = Files.copy(TestModels.file("synth-tiny-Q8_0.gguf"), dir.resolve("q.gguf"));
        byte[] before = Files.readAllBytes(model);
        List<List<String>> breaking = List.of(List.of("llama.context_length=0"), List.of("llama.block_count=0"),
                List.of("llama.attention.layer_norm_rms_epsilon=NaN"), List.of("llama.attention.layer_norm_rms_epsilon=-1"),
                List.of("--type", "string", "llama.context_length=abc"), List.of("llama.rope.freq_base=0"),
                List.of("llama.rope.freq_base=-1"), List.of("llama.rope.freq_base=NaN"));
        for (List<String> args : breaking) {
            List<String> command = new java.util.ArrayList<>(List.of("set", model.toString()));
            command.addAll(args);
            CommandRunner set = CommandRunner.run(new GgufCommand(), command.toArray(String[]::new));
            String key = args.getLast().substring(0, args.getLast().indexOf('='));
            assertThat(set.code()).as(args + " " + set.out()).isEqualTo(1);
            assertThat(set.err()).as(args.toString()).contains("refused", key, "--force");
            assertThat(Files.readAllBytes(model)).as(args.toString()).isEqualTo(before);
        }
        assertThat(listing()).containsExactly("q.gguf");
        CommandRunner forced = CommandRunner.run(new GgufCommand(), "set", "--force", model.toString(), "llama.context_length=0");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(CommandRunner.run(new GgufCommand(), "verify", model.toString()).out()).contains("llama.context_length: must be positive, got 0");
        // A file that already had a problem can still get unrelated changes, but not further breaking ones.
        assertThat(CommandRunner.run(new GgufCommand(), "set", model.toString(), "general.name=x").code()).isZero();
        CommandRunner worse = CommandRunner.run(new GgufCommand(), "set", model.toString(), "llama.rope.dimension_count=3");
        assertThat(worse.code()).as(worse.err()).isEqualTo(1);
        assertThat(worse.err()).contains("refused", "llama.rope.dimension_count");
    }

    @Test
    void setThroughASymlinkPatchesItsTargetAndKeepsTheLink() throws IOException {
        Path real = TestFiles.write(dir.resolve("real.gguf"), TestFiles.everyTypeFile());
        Path link = Files.createSymbolicLink(dir.resolve("link.gguf"), real.getFileName());
        CommandRunner set = CommandRunner.run(new GgufCommand(), "set", link.toString(), "a.b=7");
        assertThat(set.code()).as(set.err()).isZero();
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(CommandRunner.run(new GgufCommand(), "get", real.toString(), "a.b").out().strip()).isEqualTo("7");
        assertThat(listing()).containsExactly("link.gguf", "real.gguf");
    }

    @Test
    void aLinkToAMissingFileIsRefusedNotReplaced() throws IOException {
        Path source = TestFiles.write(dir.resolve("src.gguf"), TestFiles.everyTypeFile());
        Path link = Files.createSymbolicLink(dir.resolve("link.gguf"), Path.of("gone.gguf"));
        CommandRunner set = CommandRunner.run(new GgufCommand(), "set", source.toString(), "-o", link.toString(), "a.b=1");
        assertThat(set.code()).isEqualTo(1);
        assertThat(set.err()).contains("link.gguf").contains("link to a missing file");
        assertThat(Files.isSymbolicLink(link)).isTrue();
    }

    @Test
    void aNewOutputDoesNotTakeTheSourcesReadOnlyMode() throws IOException {
        Path source = TestFiles.write(dir.resolve("src.gguf"), TestFiles.everyTypeFile());
        Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("r--r--r--"));
        Path out = dir.resolve("out.gguf");
        assertThat(CommandRunner.run(new GgufCommand(), "set", source.toString(), "-o", out.toString(), "a.b=1").code()).isZero();
        Path plain = Files.createFile(dir.resolve("plain")); // the mode any new file gets here (umask)
        assertThat(Files.getPosixFilePermissions(out)).isEqualTo(Files.getPosixFilePermissions(plain));
    }

    @Test
    void patchedFileKeepsItsPermissions() throws IOException {
        Path file = TestFiles.write(dir.resolve("m.gguf"), TestFiles.everyTypeFile());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        assertThat(CommandRunner.run(new GgufCommand(), "set", file.toString(), "a.b=1").code()).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
    }

    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void onlyRegularFilesAreOpened() throws IOException, InterruptedException {
        Path fifo = dir.resolve("fifo");
        assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo is needed");
        Path sub = Files.createDirectory(dir.resolve("adir"));
        for (String command : List.of("show", "verify", "get", "set")) {
            String[] extra = command.equals("get") ? new String[]{"k"} : command.equals("set") ? new String[]{"k=1"} : new String[0];
            assertThat(run(command, fifo, extra).err()).as(command).contains(fifo + ": not a regular file");
            assertThat(run(command, sub, extra).err()).as(command).contains(sub + ": is a directory, not a GGUF file");
            CommandRunner missing = run(command, dir.resolve("absent.gguf"), extra);
            assertThat(missing.code()).isEqualTo(1);
            assertThat(missing.err()).as(command).contains("no such file: " + dir.resolve("absent.gguf"));
        }
    }

    @Test
    void unwritableOutputNamesTheUsersPathNotATemporaryFile() throws IOException {
        Path file = TestFiles.write(dir.resolve("m.gguf"), TestFiles.everyTypeFile());
        Path out = dir.resolve("nodir").resolve("x.gguf");
        CommandRunner set = CommandRunner.run(new GgufCommand(), "set", file.toString(), "-o", out.toString(), "a.b=1");
        assertThat(set.code()).isEqualTo(1);
        assertThat(set.err()).contains(out.getParent() + ": output directory does not exist").doesNotContain(".tmp");
    }

    private CommandRunner run(String command, Path file, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of(command, file.toString()));
        args.addAll(List.of(extra));
        return CommandRunner.run(new GgufCommand(), args.toArray(String[]::new));
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static Map<String, String> tensorHashes(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (GgufFile f = GgufFile.open(file)) {
            for (GgufTensor t : f.tensors()) out.put(t.name(), TestFiles.sha256(t.data().toArray(ValueLayout.JAVA_BYTE)));
        }
        return out;
    }
}
