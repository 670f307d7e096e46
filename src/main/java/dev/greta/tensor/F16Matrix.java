package dev.greta.tensor;

import dev.greta.gguf.GgmlType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

import static dev.greta.tensor.Lanes.F;
import static dev.greta.tensor.Lanes.I;
import static dev.greta.tensor.Lanes.L;
import static dev.greta.tensor.Lanes.S;
import static dev.greta.tensor.LittleEndian.I16;
import static dev.greta.tensor.LittleEndian.ORDER;

/** F16: IEEE half precision, two little-endian bytes per element. */
final class F16Matrix extends WeightMatrix {

    F16Matrix(MemorySegment data, int rows, int cols) { super(GgmlType.F16, data, rows, cols); }

    static void dequantize(MemorySegment src, long offset, int count, float[] dst, int dstOffset) {
        for (int i = 0; i < count; i++) dst[dstOffset + i] = Halfs.f16ToFloat(src.get(I16, offset + 2L * i));
    }

    static void quantize(float[] values, int offset, int count, MemorySegment dst) {
        for (int i = 0; i < count; i++) dst.set(I16, 2L * i, Halfs.floatToF16(values[offset + i]));
    }

    @Override
    void decode(int row, int from, int count, float[] dst, int dstOffset) {
        long base = rowOffset(row) + 2L * from;
        int i = 0;
        for (; i <= count - L; i += L) {
            toFloats(ShortVector.fromMemorySegment(S, data, base + 2L * i, ORDER)).intoArray(dst, dstOffset + i);
        }
        for (; i < count; i++) dst[dstOffset + i] = Halfs.f16ToFloat(data.get(I16, base + 2L * i));
    }

    /**
     * Exact half to float in integer lanes: the magnitude bits shifted into float position read as a float
     * 2^112 too small (normal and subnormal halves alike), so one multiply rebiases; infinities and NaNs only
     * need the float exponent set to all ones.
     */
    static FloatVector toFloats(ShortVector halves) {
        IntVector bits = (IntVector) halves.convertShape(VectorOperators.S2I, I, 0);
        IntVector magnitude = bits.and(0x7fff);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        IntVector finite = ((FloatVector) shifted.reinterpretAsFloats()).mul(0x1p112f).reinterpretAsInts();
        VectorMask<Integer> infOrNan = magnitude.compare(VectorOperators.GE, 0x7c00);
        IntVector value = finite.blend(shifted.or(0x7f800000), infOrNan);
        return (FloatVector) value.or(bits.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }
}
