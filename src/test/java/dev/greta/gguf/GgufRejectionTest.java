package dev.greta.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Hand-built broken files: each is rejected with a GgufFormatException naming the field at fault. */
class GgufRejectionTest {
    @TempDir
    Path dir;

    private static GgufFormatException reject(byte[] bytes) {
        return catchThrowableOfType(GgufFormatException.class, () -> GgufReader.parse(MemorySegment.ofArray(bytes)));
    }

    private static TestFiles.Raw oneTensor(long[] dims, int type, long offset) {
        TestFiles.Raw r = new TestFiles.Raw().header(1, 0).str("x").u32(dims.length);
        for (long d : dims) r.u64(d);
        return r.u32(type).u64(offset);
    }

    @Test
    void badMagic() throws Exception {
        Path file = TestFiles.write(dir.resolve("bad.gguf"), new TestFiles.Raw().u32(0x58554747).u32(3).u64(0).u64(0).bytes());
        assertThatThrownBy(() -> GgufFile.open(file)).isInstanceOf(GgufFormatException.class)
                .hasMessage("magic at offset 0: expected 'GGUF' (0x46554747), found 0x58554747");
        assertThat(reject(new byte[0]).field()).isEqualTo("magic");
    }

    @Test
    void unsupportedVersion() {
        GgufFormatException e = reject(new TestFiles.Raw().u32(GgufFile.MAGIC).u32(1).u64(0).u64(0).bytes());
        assertThat(e.field()).isEqualTo("version");
        assertThat(e.getMessage()).contains("unsupported GGUF version 1");
    }

    @Test
    void truncatedAnywhereNamesWhatWasBeingRead() throws Exception {
        byte[] full = TestFiles.everyTypeFile();
        int dataOffset = (int) GgufReader.parse(MemorySegment.ofArray(full)).dataOffset();
        assertThat(reject(Arrays.copyOf(full, 10)).field()).isEqualTo("tensor_count");
        assertThat(reject(Arrays.copyOf(full, 30)).field()).isEqualTo("metadata_kv_count"); // 21 keys cannot fit in 6 bytes
        byte[] oneKey = new TestFiles.Raw().header(0, 1).str("general.name").u32(8).str("abc").bytes();
        GgufFormatException inKey = reject(Arrays.copyOf(oneKey, 38));
        assertThat(inKey.getMessage()).isEqualTo("metadata key[0] at offset 24: string length 12 runs past the end of the file (6 bytes left)");
        GgufFormatException inValue = reject(Arrays.copyOf(oneKey, oneKey.length - 1));
        assertThat(inValue.field()).isEqualTo("metadata 'general.name'");
        for (int cut = 0; cut < dataOffset; cut += 7) {
            GgufFormatException e = reject(Arrays.copyOf(full, cut));
            assertThat(e).as("cut at " + cut).isNotNull();
            assertThat(e.getMessage()).containsAnyOf("truncated", "runs past the end", "cannot fit", "lie past the end", "file ends before");
        }
        GgufFormatException lastByte = reject(Arrays.copyOf(full, full.length - 1));
        assertThat(lastByte.field()).isEqualTo("tensor 'c.f16' data");
        assertThat(lastByte.getMessage()).contains("lie past the end of the data section");
    }

    @Test
    void countsPastTheEnd() {
        assertThat(reject(new TestFiles.Raw().header(0, 1_000_000).bytes()).field()).isEqualTo("metadata_kv_count");
        assertThat(reject(new TestFiles.Raw().header(-1, 0).bytes()).getMessage())
                .startsWith("tensor_count").contains("count 18446744073709551615 cannot fit");
        GgufFormatException array = reject(new TestFiles.Raw().header(0, 1).str("k").u32(9).u32(4).u64(1L << 40).bytes());
        assertThat(array.field()).isEqualTo("metadata 'k' length");
        assertThat(array.getMessage()).contains("array of 1099511627776 UINT32 cannot fit");
        GgufFormatException string = reject(new TestFiles.Raw().header(0, 1).str("k").u32(8).u64(Long.MIN_VALUE).bytes());
        assertThat(string.field()).isEqualTo("metadata 'k'");
        assertThat(string.getMessage()).contains("string length 9223372036854775808 runs past the end");
    }

    @Test
    void offsetsPastTheEnd() {
        byte[] file = oneTensor(new long[]{8}, 0, 1L << 40).padTo(32).put(new byte[32]).bytes();
        GgufFormatException e = reject(file);
        assertThat(e.field()).isEqualTo("tensor 'x' data");
        assertThat(e.getMessage()).contains("[1099511627776, 1099511627776 + 32) lie past the end of the data section (32 bytes)");
        GgufFormatException misaligned = reject(oneTensor(new long[]{8}, 0, 4).padTo(32).put(new byte[64]).bytes());
        assertThat(misaligned.field()).isEqualTo("tensor 'x' offset");
        GgufFormatException negative = reject(oneTensor(new long[]{8}, 0, -32).padTo(32).put(new byte[64]).bytes());
        assertThat(negative.field()).isEqualTo("tensor 'x' offset");
    }

    @Test
    void dimsThatOverflow() {
        GgufFormatException product = reject(oneTensor(new long[]{1L << 32, 1L << 32}, 0, 0).bytes());
        assertThat(product.field()).isEqualTo("tensor 'x' dims");
        assertThat(product.getMessage()).contains("element count overflows 64 bits");
        GgufFormatException negative = reject(oneTensor(new long[]{-2}, 0, 0).bytes());
        assertThat(negative.field()).isEqualTo("tensor 'x' dims[0]");
        assertThat(negative.getMessage()).contains("dimension 18446744073709551614 is too large");
        GgufFormatException bytes = reject(oneTensor(new long[]{Long.MAX_VALUE / 2}, 0, 0).bytes());
        assertThat(bytes.field()).isEqualTo("tensor 'x' size");
        GgufFormatException ndims = reject(new TestFiles.Raw().header(1, 0).str("x").u32(5).put(new byte[64]).bytes());
        assertThat(ndims.field()).isEqualTo("tensor 'x' n_dims");
        GgufFormatException block = reject(oneTensor(new long[]{33}, 8, 0).padTo(32).put(new byte[64]).bytes());
        assertThat(block.field()).isEqualTo("tensor 'x' dims[0]");
        assertThat(block.getMessage()).contains("not a multiple of the Q8_0 block size 32");
    }

    @Test
    void unknownTypeIds() {
        GgufFormatException value = reject(new TestFiles.Raw().header(0, 1).str("k").u32(13).u32(0).bytes());
        assertThat(value.field()).isEqualTo("metadata 'k' type");
        assertThat(value.getMessage()).contains("unknown value type 13");
        GgufFormatException element = reject(new TestFiles.Raw().header(0, 1).str("k").u32(9).u32(0xFFFFFFFFL).u64(0).bytes());
        assertThat(element.field()).isEqualTo("metadata 'k' element type");
        assertThat(element.getMessage()).contains("unknown value type 4294967295");
        GgufFormatException tensor = reject(oneTensor(new long[]{8}, 99, 0).padTo(32).put(new byte[64]).bytes());
        assertThat(tensor.field()).isEqualTo("tensor 'x' type");
        assertThat(tensor.getMessage()).contains("unknown tensor type 99");
    }

    @Test
    void badValues() {
        GgufFormatException bool = reject(new TestFiles.Raw().header(0, 1).str("k").u32(7).u8(2).bytes());
        assertThat(bool.field()).isEqualTo("metadata 'k'");
        assertThat(bool.getMessage()).contains("bool must be 0 or 1, got 2");
        GgufFormatException utf8 = reject(new TestFiles.Raw().header(0, 1).u64(2).put(new byte[]{(byte) 0xC0, (byte) 0x80}).u32(7).u8(0).bytes());
        assertThat(utf8.field()).isEqualTo("metadata key[0]");
        assertThat(utf8.getMessage()).contains("not valid UTF-8");
        GgufFormatException dup = reject(new TestFiles.Raw().header(0, 2).str("k").u32(7).u8(0).str("k").u32(7).u8(1).bytes());
        assertThat(dup.field()).isEqualTo("metadata key 'k'");
        assertThat(dup.getMessage()).contains("duplicate key");
        TestFiles.Raw deep = new TestFiles.Raw().header(0, 1).str("k").u32(9);
        for (int i = 0; i < 100; i++) deep.u32(9).u64(1);
        GgufFormatException nested = reject(deep.u32(0).u64(0).bytes());
        assertThat(nested.field()).startsWith("metadata 'k'");
        assertThat(nested.getMessage()).contains("arrays nested deeper than 8");
        GgufFormatException alignment = reject(new TestFiles.Raw().header(0, 1).str("general.alignment").u32(4).u32(48).bytes());
        assertThat(alignment.field()).isEqualTo("general.alignment");
    }
}
