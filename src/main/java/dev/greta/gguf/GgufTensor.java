package dev.greta.gguf;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One tensor of a GGUF file. {@code dims[0]} (ne0) is the contiguous dimension: a matrix of dims [cols, rows]
 * stores rows one after another, each of {@code cols} elements. {@code data} is a slice of the mapped file
 * (never a copy); {@code offset} is relative to the start of the data section.
 */
public record GgufTensor(String name, GgmlType type, long[] dims, long offset, long byteSize, MemorySegment data) {

    public long elementCount() {
        long n = 1;
        for (long d : dims) n *= d;
        return n;
    }

    /** ne0: elements per row. */
    public long cols() { return dims.length == 0 ? 1 : dims[0]; }

    /** Product of all dims after the first. */
    public long rows() { return elementCount() / Math.max(1, cols()); }

    public String shape() { return Arrays.toString(dims); }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensor t && t.name.equals(name) && t.type == type && Arrays.equals(t.dims, dims)
                && t.offset == offset;
    }

    @Override
    public int hashCode() { return name.hashCode() * 31 + Long.hashCode(offset); }

    @Override
    public String toString() { return name + " " + type + " " + shape() + " @" + offset; }
}
