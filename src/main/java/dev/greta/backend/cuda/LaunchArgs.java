package dev.greta.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The packed kernel parameters of cuLaunchKernel (an array of pointers, one per parameter, to its value),
 * allocated once and refilled for every launch: cuLaunchKernel copies the values when it is called, so the
 * same memory serves the next launch at once. Not thread-safe, like the backend that owns it.
 */
final class LaunchArgs {
    private static final int MAX_PARAMS = 32;
    private final MemorySegment values;
    private final MemorySegment pointers;
    private int count;

    LaunchArgs(Arena arena) {
        values = arena.allocate(8L * MAX_PARAMS, 8);
        pointers = arena.allocate(ADDRESS, MAX_PARAMS);
        for (int i = 0; i < MAX_PARAMS; i++) pointers.setAtIndex(ADDRESS, i, values.asSlice(8L * i, 8));
    }

    LaunchArgs reset() {
        count = 0;
        return this;
    }

    /** A device pointer (any T*). */
    LaunchArgs ptr(long devicePointer) {
        values.set(JAVA_LONG, slot(), devicePointer);
        return this;
    }

    LaunchArgs i32(int value) {
        values.set(JAVA_INT, slot(), value);
        return this;
    }

    LaunchArgs i64(long value) {
        values.set(JAVA_LONG, slot(), value);
        return this;
    }

    LaunchArgs f32(float value) {
        values.set(JAVA_FLOAT, slot(), value);
        return this;
    }

    MemorySegment pointers() { return pointers; }

    private long slot() {
        if (count == MAX_PARAMS) throw new IllegalStateException("more than " + MAX_PARAMS + " kernel parameters");
        return 8L * count++;
    }
}
