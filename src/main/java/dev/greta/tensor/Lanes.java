package dev.greta.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species of the fast kernels. The float species decides the others: byte, short and int species
 * have the same lane count, so a load of narrow codes converts lane for lane into one float vector.
 * System property {@code greta.vector.bits} (256 or 512) overrides the machine's preferred width.
 */
final class Lanes {
    private Lanes() {}

    static final VectorSpecies<Float> F = floatSpecies();
    static final int L = F.length();
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

    private static VectorSpecies<Float> floatSpecies() {
        String bits = System.getProperty("greta.vector.bits");
        int width = bits == null ? Math.max(256, FloatVector.SPECIES_PREFERRED.vectorBitSize()) : Integer.parseInt(bits.trim());
        return switch (width) {
            case 256 -> FloatVector.SPECIES_256;
            case 512 -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException("greta.vector.bits must be 256 or 512, got '" + bits + "'");
        };
    }
}
