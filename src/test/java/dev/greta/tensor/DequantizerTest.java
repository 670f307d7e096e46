package dev.greta.tensor;

import dev.greta.gguf.GgmlType;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hand-built blocks in the byte layouts of ggml-common.h decode to hand-computed values. */
class DequantizerTest {

    private static ByteBuffer le(int bytes) { return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN); }

    /** Both the scalar reference and the vectorised row decoder. */
    private static float[][] decodeBoth(GgmlType type, ByteBuffer buf, int elements) {
        MemorySegment seg = MemorySegment.ofArray(buf.array());
        float[] reference = Dequantizer.dequantize(type, seg, elements);
        float[] fast = new float[elements];
        WeightMatrix.of(type, seg, 1, elements).dequantizeRow(0, fast, 0);
        return new float[][]{reference, fast};
    }

    @Test
    void floatFormats() {
        ByteBuffer f32 = le(8).putFloat(1.5f).putFloat(-0.25f);
        for (float[] v : decodeBoth(GgmlType.F32, f32, 2)) assertThat(v).containsExactly(1.5f, -0.25f);
        ByteBuffer f16 = le(6).putShort((short) 0x3e00).putShort((short) 0xb400).putShort((short) 0x0200);
        for (float[] v : decodeBoth(GgmlType.F16, f16, 3)) assertThat(v).containsExactly(1.5f, -0.25f, 0x1p-15f);
        ByteBuffer bf16 = le(4).putShort((short) 0x3fc0).putShort((short) 0xbe80);
        for (float[] v : decodeBoth(GgmlType.BF16, bf16, 2)) assertThat(v).containsExactly(1.5f, -0.25f);
    }

    @Test
    void q8_0() {
        ByteBuffer b = le(34).putShort((short) 0x3800); // d = 0.5
        for (int j = 0; j < 32; j++) b.put((byte) (j - 16));
        b.put(2, (byte) -128).put(33, (byte) 127);
        for (float[] v : decodeBoth(GgmlType.Q8_0, b, 32)) {
            assertThat(v[0]).isEqualTo(-64f);
            assertThat(v[1]).isEqualTo(-7.5f);
            assertThat(v[16]).isEqualTo(0f);
            assertThat(v[30]).isEqualTo(7f);
            assertThat(v[31]).isEqualTo(63.5f);
        }
    }

    @Test
    void q4_0LowNibblesAreTheFirstHalf() {
        ByteBuffer b = le(18).putShort((short) 0x4000); // d = 2
        for (int j = 0; j < 16; j++) b.put((byte) (j | (15 - j) << 4));
        for (float[] v : decodeBoth(GgmlType.Q4_0, b, 32)) {
            for (int j = 0; j < 16; j++) {
                assertThat(v[j]).isEqualTo((j - 8) * 2f);
                assertThat(v[16 + j]).isEqualTo((7 - j) * 2f);
            }
            assertThat(v[0]).isEqualTo(-16f);
            assertThat(v[31]).isEqualTo(-16f);
        }
    }

    @Test
    void q4_KSixBitScalesAndMins() {
        int[] sc = {1, 2, 3, 4, 17, 33, 63, 5};
        int[] m = {0, 1, 2, 3, 40, 7, 16, 63};
        ByteBuffer b = le(144).putShort((short) 0x3c00).putShort((short) 0x3800); // d = 1, dmin = 0.5
        // scales[0..3]: sc[j] | (sc[j+4] >> 4) << 6; [4..7]: m[j] | (m[j+4] >> 4) << 6; [8..11]: low nibbles of sc/m[4..7]
        b.put(new byte[]{0x41, (byte) 0x82, (byte) 0xc3, 0x04, (byte) 0x80, 0x01, 0x42, (byte) 0xc3, (byte) 0x81, 0x71, 0x0f, (byte) 0xf5});
        for (int g = 0; g < 4; g++) {
            for (int l = 0; l < 32; l++) b.put((byte) ((l % 16) | (15 - l % 16) << 4));
        }
        for (float[] v : decodeBoth(GgmlType.Q4_K, b, 256)) {
            for (int e = 0; e < 256; e++) {
                int j = e / 32;
                int l = e % 32;
                int q = j % 2 == 0 ? l % 16 : 15 - l % 16;
                assertThat(v[e]).as("element %d", e).isEqualTo(1.0f * sc[j] * q - 0.5f * m[j]);
            }
            assertThat(v[4 * 32 + 5]).isEqualTo(65f);
            assertThat(v[6 * 32 + 2]).isEqualTo(118f);
            assertThat(v[7 * 32 + 31]).isEqualTo(-31.5f);
        }
    }

    @Test
    void q6_KSplitsCodesOverQlAndQh() {
        int[] scales = {1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12, 13, -14, 15, -16};
        byte[] block = new byte[210];
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 32; l++) {
                int e = 128 * h + l;
                int q1 = e % 64, q2 = (e + 32) % 64, q3 = (e + 64) % 64, q4 = (e + 96) % 64;
                block[64 * h + l] = (byte) ((q1 & 15) | (q3 & 15) << 4);
                block[64 * h + l + 32] = (byte) ((q2 & 15) | (q4 & 15) << 4);
                block[128 + 32 * h + l] = (byte) (q1 >> 4 | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6);
            }
        }
        for (int i = 0; i < 16; i++) block[192 + i] = (byte) scales[i];
        ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN).putShort(208, (short) 0x3400); // d = 0.25
        for (float[] v : decodeBoth(GgmlType.Q6_K, b, 256)) {
            for (int e = 0; e < 256; e++) {
                assertThat(v[e]).as("element %d", e).isEqualTo(0.25f * scales[e / 16] * (e % 64 - 32));
            }
            assertThat(v[0]).isEqualTo(-8f);
            assertThat(v[100]).isEqualTo(7f);
            assertThat(v[255]).isEqualTo(-124f);
        }
    }

    @Test
    void rejectsPartialBlocksAndShortData() {
        MemorySegment seg = MemorySegment.ofArray(new byte[34]);
        assertThatThrownBy(() -> Dequantizer.dequantize(GgmlType.Q8_0, seg, 31))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not whole Q8_0 blocks");
        assertThatThrownBy(() -> Dequantizer.dequantize(GgmlType.Q8_0, seg, 64))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("need 68 bytes");
        assertThatThrownBy(() -> Dequantizer.dequantize(GgmlType.Q5_K, MemorySegment.ofArray(new byte[176]), 256))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("Q5_K");
    }
}
