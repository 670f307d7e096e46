package dev.greta.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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

    @Test
    void patchedFileTheReaderRefusesNeverReplacesTheOriginal() throws IOException {
        Path file = TestFiles.write(dir.resolve("m.gguf"), TestFiles.everyTypeFile());
        byte[] original = Files.readAllBytes(file);
        GgufEditor badWrite = new GgufEditor(temp -> { // as if the writer had produced a key the reader rejects
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[]{0x70, 0x11, 1, 0, 0, 0, 0, 0}), 24); // first key's length: 70000
            }
        });
        assertThatThrownBy(() -> badWrite.apply(file, file, Map.of("k", GgufValue.ofBool(true))))
                .hasMessageContaining("the patched file would not be readable")
                .hasMessageContaining("metadata key");
        assertThat(Files.readAllBytes(file)).isEqualTo(original);
        assertThat(listing()).containsExactly("m.gguf");
    }

    @Test
    void keysOverTheReadersLimitAreRefusedBeforeWriting() throws IOException {
        Path file = TestFiles.write(dir.resolve("m.gguf"), TestFiles.everyTypeFile());
        assertThatThrownBy(() -> new GgufEditor().apply(file, file, Map.of("k".repeat(65_537), GgufValue.ofBool(true))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("metadata key of 65537 bytes exceeds the limit of 65536");
        assertThat(listing()).containsExactly("m.gguf");
        new GgufEditor().apply(file, file, Map.of("k".repeat(65_536), GgufValue.ofBool(true)));
        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.metadata().has("k".repeat(65_536))).isTrue();
        }
    }

    @Test
    void concurrentPatchesFromTwoProcessesLoseNoUpdate() throws Exception {
        Path file = TestFiles.write(dir.resolve("c.gguf"), TestFiles.everyTypeFile());
        int each = 15;
        List<Process> patchers = new ArrayList<>();
        for (String prefix : List.of("a.", "b.")) {
            patchers.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Patcher.class.getName(), file.toString(), prefix, String.valueOf(each))
                    .redirectErrorStream(true).start());
        }
        for (Process p : patchers) {
            String output = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(output).isZero();
        }
        try (GgufFile f = GgufFile.open(file)) {
            for (int i = 0; i < each; i++) {
                assertThat(f.metadata().has("a." + i)).as("a." + i).isTrue();
                assertThat(f.metadata().has("b." + i)).as("b." + i).isTrue();
            }
        }
        assertThat(listing()).containsExactly("c.gguf");
    }

    @Test
    void concurrentPatchesFromTwoThreadsLoseNoUpdate() throws Exception {
        Path file = TestFiles.write(dir.resolve("c.gguf"), TestFiles.everyTypeFile());
        int each = 20;
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            List<Future<?>> done = new ArrayList<>();
            for (String prefix : List.of("a.", "b.")) done.add(pool.submit(() -> { Patcher.patch(file, prefix, each); return null; }));
            for (Future<?> f : done) f.get();
        }
        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.metadata().asMap().keySet().stream().filter(k -> k.startsWith("a.") || k.startsWith("b."))).hasSize(2 * each);
        }
    }

    @Test
    void readOnlyFileIsRefusedAndLeftAlone() throws Exception {
        Path file = TestFiles.write(dir.resolve("m.gguf"), TestFiles.everyTypeFile());
        byte[] original = Files.readAllBytes(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx")); // only the file is read-only
        if (Files.isWritable(file)) { // root may write anything: patch as nobody instead
            assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "root needs setpriv to test as another user");
            Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                    Patcher.class.getName(), file.toString(), "k.", "1").redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(output).isNotZero();
            assertThat(output).contains(file + ": cannot write: the file is read-only");
        } else {
            assertThatThrownBy(() -> Patcher.patch(file, "k.", 1)).hasMessage(file + ": cannot write: the file is read-only");
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(original);
        assertThat(listing()).containsExactly("m.gguf");
    }

    /** Patches FILE with COUNT keys PREFIX0.., one patch each; run as its own process by the test above. */
    static final class Patcher {
        public static void main(String[] args) throws IOException {
            patch(Path.of(args[0]), args[1], Integer.parseInt(args[2]));
        }

        static void patch(Path file, String prefix, int count) throws IOException {
            for (int i = 0; i < count; i++) new GgufEditor().apply(file, file, Map.of(prefix + i, GgufValue.ofUint32(i)));
        }
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
