package dev.greta.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GgufWriterTest {
    @TempDir
    Path dir;

    @Test
    void everyValueTypeAndTensorReadsBackAsWritten() throws IOException {
        GgufWriter w = TestFiles.everyTypeWriter();
        Path file = TestFiles.write(dir.resolve("all.gguf"), TestFiles.everyTypeFile());
        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.version()).isEqualTo(3);
            assertThat(f.metadata().asMap()).containsExactlyEntriesOf(w.metadata());
            assertThat(f.fileSize()).isEqualTo(w.fileSize());
            assertThat(f.dataOffset() % 32).isZero();
            assertThat(f.tensors()).extracting(GgufTensor::name).containsExactly("a.f32", "b.q8_0", "c.f16");
            for (GgufWriter.PlannedTensor p : w.tensors()) {
                GgufTensor t = f.tensor(p.name());
                assertThat(t.type()).isEqualTo(p.type());
                assertThat(t.dims()).isEqualTo(p.dims());
                assertThat(t.offset()).isEqualTo(p.offset());
                assertThat(t.offset() % 32).isZero();
                assertThat(t.data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(expectedData(p));
            }
        }
    }

    @Test
    void customAlignmentPlacesEveryTensorOnIt() throws IOException {
        GgufWriter w = new GgufWriter().put("general.alignment", GgufValue.ofUint32(256));
        w.addTensor("x", GgmlType.F32, 3);
        w.addTensor("y", GgmlType.F32, 70);
        w.addTensor("z", GgmlType.Q4_0, 32);
        Path file = TestFiles.write(dir.resolve("aligned.gguf"), TestFiles.bytes(w, TestFiles.randomData()));
        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.alignment()).isEqualTo(256);
            assertThat(f.dataOffset() % 256).isZero();
            assertThat(f.tensors()).extracting(GgufTensor::offset).containsExactly(0L, 256L, 768L); // y takes 280 bytes
        }
    }

    @Test
    void tensorDataOfTheWrongSizeIsRefused() {
        GgufWriter w = new GgufWriter();
        w.addTensor("x", GgmlType.F32, 4);
        assertThatThrownBy(() -> TestFiles.bytes(w, (t, sink) -> sink.write(new byte[15])))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'x': 15 of its 16 bytes");
        assertThatThrownBy(() -> TestFiles.bytes(w, (t, sink) -> sink.write(new byte[17])))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("more than its 16 bytes");
    }

    @Test
    void invalidPlansAreRefusedWithTheReason() {
        GgufWriter w = new GgufWriter();
        w.addTensor("x", GgmlType.F32, 4);
        assertThatThrownBy(() -> w.addTensor("x", GgmlType.F32, 4)).hasMessageContaining("duplicate tensor 'x'");
        assertThatThrownBy(() -> w.addTensor("q", GgmlType.Q8_0, 33)).hasMessageContaining("not a multiple of the Q8_0 block size 32");
        assertThatThrownBy(() -> w.addTensorAt("late", GgmlType.F32, new long[]{1}, 8)).hasMessageContaining("offset 8");
        assertThatThrownBy(() -> w.put("general.alignment", GgufValue.ofUint32(48))).hasMessageContaining("power of two");
        assertThatThrownBy(() -> w.put("k", new GgufValue(GgufValueType.UINT8, 256))).hasMessageContaining("not a valid UINT8");
        assertThatThrownBy(() -> w.put("k", new GgufValue(GgufValueType.UINT32, 5))).hasMessageContaining("not a valid UINT32");
        assertThatThrownBy(() -> w.put("k", GgufValue.ofString("bad \uD800"))).hasMessageContaining("not a valid STRING");
        assertThatThrownBy(() -> w.put("k", GgufValue.ofArray(new GgufArray(GgufValueType.UINT32, new int[]{1}))))
                .hasMessageContaining("an array of UINT32 cannot be stored in int[]");
        GgufArray deep = GgufArray.ofInt32(new int[]{1});
        for (int i = 0; i < GgufReader.MAX_ARRAY_DEPTH; i++) deep = new GgufArray(GgufValueType.ARRAY, new GgufArray[]{deep});
        GgufValue tooDeep = GgufValue.ofArray(deep);
        assertThatThrownBy(() -> w.put("deep", tooDeep)).hasMessageContaining("nested deeper than");
    }

    private static byte[] expectedData(GgufWriter.PlannedTensor p) throws IOException {
        ByteBuffer out = ByteBuffer.allocate((int) p.byteSize());
        TestFiles.randomData().write(p, out::put);
        return out.array();
    }
}
