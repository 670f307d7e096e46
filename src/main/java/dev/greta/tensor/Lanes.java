package dev.greta.tensor;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species of the fast kernels. The float species decides the others: byte, short and int species
 * have the same lane count, so a load of narrow codes converts lane for lane into one float vector.
 * The width is the CPU's widest (256 bits at least: byte codes need 8 lanes); system property
 * {@code greta.vector.bits} (256 or 512) narrows it, e.g. to compare 256 with 512 bits on AVX-512 CPUs.
 */
final class Lanes {
    private Lanes() {}

    static final VectorSpecies<Float> F = floatSpecies();
    static final int L = F.length();
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

    /** L bytes at {@code at} as unsigned int lanes: x86 has no byte shifts, so nibble work happens in int lanes. */
    static IntVector unsignedBytes(MemorySegment src, long at) {
        return ((IntVector) ByteVector.fromMemorySegment(B, src, at, LittleEndian.ORDER).convertShape(VectorOperators.B2I, I, 0)).and(0xff);
    }

    /**
     * The lanes of v added one by one from lane 0: a fixed order of exactly rounded adds, so interpreted and
     * compiled code agree bit for bit (reduceLanes(ADD) promises no order).
     */
    static float sum(FloatVector v) {
        float sum = 0;
        for (int i = 0; i < L; i++) sum += v.lane(i);
        return sum;
    }

    private static VectorSpecies<Float> floatSpecies() {
        int widest = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        String bits = System.getProperty("greta.vector.bits");
        if (bits == null) return widest >= 512 ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
        int width = parse(bits);
        if (width > widest) {
            // C2 only compiles vectors the CPU has; wider ones run as plain Java, about 100x slower.
            throw new IllegalArgumentException("greta.vector.bits=" + width + " but this CPU's widest vectors are "
                    + widest + " bits");
        }
        return width == 512 ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    }

    private static int parse(String bits) {
        return switch (bits.trim()) {
            case "256" -> 256;
            case "512" -> 512;
            default -> throw new IllegalArgumentException("greta.vector.bits must be 256 or 512, got '" + bits + "'");
        };
    }
}
