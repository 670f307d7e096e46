package dev.greta.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greta.TestModels;
import dev.greta.gguf.GgufFile;
import dev.greta.gguf.GgufTensor;
import dev.greta.gguf.GgufValueType;
import dev.greta.gguf.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

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
        CommandRunner.run(new GgufCommand(), "set", clean.toString(), "llama.block_count=3", "tokenizer.ggml.bos_token_id=100000");
        CommandRunner bad = CommandRunner.run(new GgufCommand(), "verify", clean.toString());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.out()).contains("llama.block_count: 3 blocks declared, tensors exist for 2", "tokenizer.ggml.bos_token_id: token id 100000 is outside", "problems");
    }

    private static Map<String, String> tensorHashes(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (GgufFile f = GgufFile.open(file)) {
            for (GgufTensor t : f.tensors()) out.put(t.name(), TestFiles.sha256(t.data().toArray(ValueLayout.JAVA_BYTE)));
        }
        return out;
    }
}
