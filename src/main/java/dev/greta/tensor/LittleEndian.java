package dev.greta.tensor;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Unaligned little-endian layouts: GGUF data is little-endian and blocks sit at odd byte offsets. */
final class LittleEndian {
    private LittleEndian() {}

    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ORDER);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ORDER);
    static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;
}
