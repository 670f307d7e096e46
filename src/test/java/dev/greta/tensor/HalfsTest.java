package dev.greta.tensor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HalfsTest {

    @Test
    void f16KnownValues() {
        assertThat(Halfs.f16ToFloat((short) 0x3c00)).isEqualTo(1.0f);
        assertThat(Halfs.f16ToFloat((short) 0xc000)).isEqualTo(-2.0f);
        assertThat(Halfs.f16ToFloat((short) 0x7bff)).isEqualTo(65504.0f);
        assertThat(Halfs.f16ToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(Halfs.f16ToFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Halfs.floatToF16(1.0f)).isEqualTo((short) 0x3c00);
        // 1 + 2^-11 lies halfway between 1 and the next half 1 + 2^-10: ties go to the even mantissa (1.0).
        assertThat(Halfs.floatToF16(1.0f + 0x1p-11f)).isEqualTo((short) 0x3c00);
        assertThat(Halfs.floatToF16(1.0f + 3 * 0x1p-11f)).isEqualTo((short) 0x3c02);
        assertThat(Halfs.floatToF16(1e6f)).isEqualTo((short) 0x7c00);
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertThat(Halfs.bf16ToFloat((short) 0x3f80)).isEqualTo(1.0f);
        assertThat(Halfs.bf16ToFloat((short) 0xc040)).isEqualTo(-3.0f);
        assertThat(Halfs.floatToBf16(1.0f)).isEqualTo((short) 0x3f80);
        // Exactly halfway: 0x3f808000 rounds down to the even 0x3f80, 0x3f818000 up to the even 0x3f82.
        assertThat(Halfs.floatToBf16(Float.intBitsToFloat(0x3f808000))).isEqualTo((short) 0x3f80);
        assertThat(Halfs.floatToBf16(Float.intBitsToFloat(0x3f818000))).isEqualTo((short) 0x3f82);
        assertThat(Halfs.floatToBf16(Float.intBitsToFloat(0x3f808001))).isEqualTo((short) 0x3f81);
        assertThat(Halfs.floatToBf16(Float.intBitsToFloat(0xbf80ffff))).isEqualTo((short) 0xbf81);
        assertThat(Halfs.floatToBf16(Float.MAX_VALUE)).isEqualTo((short) 0x7f80);
        assertThat(Float.isNaN(Halfs.bf16ToFloat(Halfs.floatToBf16(Float.NaN)))).isTrue();
        assertThat(Float.isNaN(Halfs.bf16ToFloat(Halfs.floatToBf16(Float.intBitsToFloat(0x7f800001))))).isTrue();
    }

    @Test
    void vectorHalfDecodeMatchesScalarForEveryBitPattern() {
        short[] all = new short[65536];
        for (int i = 0; i < all.length; i++) all[i] = (short) i;
        var seg = java.lang.foreign.MemorySegment.ofArray(new byte[all.length * 2]);
        for (int i = 0; i < all.length; i++) seg.set(LittleEndian.I16, 2L * i, all[i]);
        WeightMatrix m = WeightMatrix.of(dev.greta.gguf.GgmlType.F16, seg, 1, all.length);
        float[] fast = new float[all.length];
        m.dequantizeRow(0, fast, 0);
        for (int i = 0; i < all.length; i++) {
            float expected = Halfs.f16ToFloat(all[i]);
            if (Float.isNaN(expected)) assertThat(fast[i]).as("bits %04x", i).isNaN();
            else assertThat(Float.floatToRawIntBits(fast[i])).as("bits %04x", i).isEqualTo(Float.floatToRawIntBits(expected));
        }
    }
}
