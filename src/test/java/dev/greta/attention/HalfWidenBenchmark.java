package dev.greta.attention;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Widening one F16 key tile (128 positions x 64 dims) to floats, three ways: element by element from the segment,
 * through heap arrays (what KvTiles does: C2 vectorises the array loop into F16C conversions), and by hand with
 * Vector API bit operations (JDK 25's Vector API has no half-float conversion). Results: PERFORMANCE-attention.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class HalfWidenBenchmark {

    private static final int N = 128 * 64;
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> SHORTS =
            VectorSpecies.of(short.class, VectorShape.forBitSize(FLOATS.vectorBitSize() / 2));
    private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, FLOATS.vectorShape());

    private MemorySegment halves;
    private MemorySegment floats;
    private final short[] halfArray = new short[N];
    private final float[] floatArray = new float[N];

    @Setup
    public void setUp() {
        Arena arena = Arena.ofAuto();
        halves = arena.allocate(2L * N, 64);
        floats = arena.allocate(4L * N, 64);
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < N; i++) {
            halves.setAtIndex(ValueLayout.JAVA_SHORT, i, Float.floatToFloat16((float) random.nextGaussian()));
        }
    }

    @Benchmark
    public MemorySegment segmentLoop() {
        for (int i = 0; i < N; i++) {
            floats.setAtIndex(ValueLayout.JAVA_FLOAT, i,
                    Float.float16ToFloat(halves.getAtIndex(ValueLayout.JAVA_SHORT, i)));
        }
        return floats;
    }

    @Benchmark
    public MemorySegment throughArrays() {
        MemorySegment.copy(halves, ValueLayout.JAVA_SHORT, 0, halfArray, 0, N);
        for (int i = 0; i < N; i++) floatArray[i] = Float.float16ToFloat(halfArray[i]);
        MemorySegment.copy(floatArray, 0, floats, ValueLayout.JAVA_FLOAT, 0, N);
        return floats;
    }

    /** Half bits shifted into float position and rescaled by 2^112 (handles subnormals); Inf/NaN patched. */
    @Benchmark
    public MemorySegment vectorBits() {
        for (int i = 0; i < N; i += FLOATS.length()) {
            ShortVector h = ShortVector.fromMemorySegment(SHORTS, halves, 2L * i, ByteOrder.nativeOrder());
            IntVector x = (IntVector) h.convertShape(VectorOperators.S2I, INTS, 0);
            IntVector magnitude = x.and(0x7fff);
            IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
            IntVector finite = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
            VectorMask<Integer> special = magnitude.compare(VectorOperators.GE, 0x7c00);
            IntVector bits = finite.blend(shifted.or(0x7f800000), special)
                    .or(x.and(0x8000).lanewise(VectorOperators.LSHL, 16));
            bits.reinterpretAsFloats().intoMemorySegment(floats, 4L * i, ByteOrder.nativeOrder());
        }
        return floats;
    }
}
