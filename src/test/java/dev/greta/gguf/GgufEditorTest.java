package dev.greta.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GgufEditorTest {
    @TempDir
    Path dir;

    @Test
    void changedHeaderLeavesEveryTensorByteIdenticalAndAligned() throws IOException {
        Path file = TestFiles.write(dir.resolve("m.gguf"), TestFiles.everyTypeFile());
        Map<String, String> before = tensorHashes(file);
        String dataBefore = dataSectionHash(file);
        Map<String, GgufValue> changes = new LinkedHashMap<>();
        changes.put("t.string", GgufValue.ofString("a much longer value that moves the data section by a few bytes"));
        changes.put("new.key", GgufValue.ofUint32(32768));
        new GgufEditor().apply(file, file, changes);
        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.metadata().get("new.key")).isEqualTo(GgufValue.ofUint32(32768));
            assertThat(f.metadata().string("t.string")).startsWith("a much longer");
            assertThat(f.dataOffset() % f.alignment()).isZero();
            List<String> keys = List.copyOf(f.metadata().asMap().keySet());
            assertThat(keys.getLast()).isEqualTo("new.key");
            assertThat(keys.indexOf("t.string")).isEqualTo(12); // changed key keeps its place
        }
        assertThat(tensorHashes(file)).isEqualTo(before);
        assertThat(dataSectionHash(file)).isEqualTo(dataBefore);
        assertThat(GgufVerifier.verify(file, true)).isEmpty();
    }

    @Test
    void killBeforeRenameLeavesOriginalByteIdenticalAndNoTempFile() throws IOException {
        Path file = TestFiles.write(dir.resolve("m.gguf"), TestFiles.everyTypeFile());
        byte[] original = Files.readAllBytes(file);
        Path[] seenTemp = new Path[1];
        GgufEditor killed = new GgufEditor(temp -> {
            seenTemp[0] = temp;
            assertThat(temp.getParent()).isEqualTo(file.toAbsolutePath().getParent());
            try (GgufFile complete = GgufFile.open(temp)) { // the new file was complete when the "kill" came
                assertThat(complete.metadata().integer("llama.context_length")).isEqualTo(32768);
            }
            throw new IOException("simulated kill before rename");
        });
        assertThatThrownBy(() -> killed.apply(file, file, Map.of("llama.context_length", GgufValue.ofUint32(32768))))
                .hasMessage("simulated kill before rename");
        assertThat(seenTemp[0]).isNotNull();
        assertThat(Files.readAllBytes(file)).isEqualTo(original);
        assertThat(listing()).containsExactly("m.gguf");
    }

    @Test
    void failedWriteToAnotherTargetCreatesNothing() throws IOException {
        Path file = TestFiles.write(dir.resolve("m.gguf"), TestFiles.everyTypeFile());
        GgufEditor killed = new GgufEditor(temp -> { throw new IOException("simulated kill"); });
        assertThatThrownBy(() -> killed.apply(file, dir.resolve("out.gguf"), Map.of("k", GgufValue.ofBool(true))))
                .hasMessage("simulated kill");
        assertThat(listing()).containsExactly("m.gguf");
    }

    @Test
    void alignmentChangeThatWouldMisalignATensorIsRefused() throws IOException {
        Path file = TestFiles.write(dir.resolve("m.gguf"), TestFiles.everyTypeFile());
        byte[] original = Files.readAllBytes(file);
        assertThatThrownBy(() -> new GgufEditor().apply(file, file, Map.of("general.alignment", GgufValue.ofUint32(64))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("would misalign tensor");
        assertThat(Files.readAllBytes(file)).isEqualTo(original);
        assertThat(listing()).containsExactly("m.gguf");
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static Map<String, String> tensorHashes(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (GgufFile f = GgufFile.open(file)) {
            for (GgufTensor t : f.tensors()) out.put(t.name(), TestFiles.sha256(t.data().toArray(ValueLayout.JAVA_BYTE)) + "@" + t.offset());
        }
        return out;
    }

    private static String dataSectionHash(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        try (GgufFile f = GgufFile.open(file)) {
            return TestFiles.sha256(Arrays.copyOfRange(all, (int) f.dataOffset(), all.length));
        }
    }
}
