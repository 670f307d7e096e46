package dev.greta.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plans and writes a GGUF file: metadata and tensor infos first, then each tensor's bytes streamed in file order,
 * so a file of any size can be written without holding its tensors in memory. Tensor offsets are assigned
 * aligned to {@code general.alignment} (32 unless set), or given explicitly to copy another file's layout.
 *
 * <pre>{@code
 * GgufWriter w = new GgufWriter().put("general.architecture", GgufValue.ofString("llama"));
 * w.addTensor("x", GgmlType.F32, 4, 2);
 * w.write(path, (tensor, sink) -> sink.write(bytesOf(tensor)));
 * }</pre>
 */
public final class GgufWriter {

    /** A tensor as it will appear in the file; {@code offset} is relative to the data section. */
    public record PlannedTensor(String name, GgmlType type, long[] dims, long offset, long byteSize) {
        public long elementCount() {
            long n = 1;
            for (long d : dims) n *= d;
            return n;
        }

        /** ne0: elements per row. */
        public long cols() { return dims.length == 0 ? 1 : dims[0]; }

        public long rows() { return elementCount() / Math.max(1, cols()); }
    }

    /** Receives one tensor's bytes, in any number of pieces. */
    public interface DataSink {
        void write(ByteBuffer bytes) throws IOException;

        default void write(byte[] bytes) throws IOException { write(ByteBuffer.wrap(bytes)); }
    }

    /** Produces the bytes of each tensor, called once per tensor in file order. */
    @FunctionalInterface
    public interface TensorData {
        void write(PlannedTensor tensor, DataSink sink) throws IOException;
    }

    private final int version;
    private final LinkedHashMap<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<PlannedTensor> tensors = new ArrayList<>();
    private final Set<String> tensorNames = new HashSet<>();
    private long nextOffset;

    /** A GGUF version 3 file. */
    public GgufWriter() { this(3); }

    public GgufWriter(int version) {
        if (version != 2 && version != 3) throw new IllegalArgumentException("GGUF version must be 2 or 3, got " + version);
        this.version = version;
    }

    /** Adds or replaces a metadata value; a replaced key keeps its position. */
    public GgufWriter put(String key, GgufValue value) {
        if (key == null || key.isEmpty()) throw new IllegalArgumentException("metadata key must not be empty");
        checkNameLength("metadata key", key);
        if (key.equals("general.alignment")) checkAlignmentValue(value);
        GgufEncoder.checkValue(key, value, 0);
        metadata.put(key, value);
        return this;
    }

    public GgufWriter putAll(Map<String, GgufValue> values) {
        values.forEach(this::put);
        return this;
    }

    public Map<String, GgufValue> metadata() { return Collections.unmodifiableMap(metadata); }

    /** Adds a tensor at the next aligned offset after the previous one. dims[0] is the contiguous dimension. */
    public PlannedTensor addTensor(String name, GgmlType type, long... dims) {
        return addTensorAt(name, type, dims, GgufReader.alignUp(nextOffset, alignment()));
    }

    /**
     * Adds a tensor at an explicit data-section offset (a multiple of the alignment, at or after the end of the
     * tensor added before it), e.g. to keep another file's layout.
     */
    public PlannedTensor addTensorAt(String name, GgmlType type, long[] dims, long offset) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("tensor name must not be empty");
        GgufEncoder.checkUtf8("tensor name", name);
        checkNameLength("tensor name", name);
        if (!tensorNames.add(name)) throw new IllegalArgumentException("duplicate tensor '" + name + "'");
        if (dims.length > GgufReader.MAX_DIMS) throw new IllegalArgumentException("tensor '" + name + "' has " + dims.length + " dims, at most " + GgufReader.MAX_DIMS + " allowed");
        long elements = 1;
        for (long d : dims) {
            if (d < 0 || (d != 0 && elements > Long.MAX_VALUE / d)) throw new IllegalArgumentException("tensor '" + name + "' has bad dims");
            elements *= d;
        }
        if (dims.length > 0 && dims[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "': row length " + dims[0] + " is not a multiple of the " + type + " block size " + type.blockSize());
        }
        long bytes = type.bytesFor(elements);
        if (bytes < 0) throw new IllegalArgumentException("tensor '" + name + "': " + elements + " elements are not whole " + type + " blocks");
        if (offset < nextOffset || offset % alignment() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "' offset " + offset + " must be a multiple of " + alignment() + " at or after " + nextOffset);
        }
        PlannedTensor t = new PlannedTensor(name, type, dims.clone(), offset, bytes);
        tensors.add(t);
        nextOffset = offset + bytes;
        return t;
    }

    public List<PlannedTensor> tensors() { return Collections.unmodifiableList(tensors); }

    public int alignment() {
        GgufValue a = metadata.get("general.alignment");
        return a == null ? GgufFile.DEFAULT_ALIGNMENT : (int) a.asLong();
    }

    /** Header, metadata and tensor infos, padded to the start of the data section. */
    public byte[] header() {
        GgufEncoder e = new GgufEncoder();
        e.u32(GgufFile.MAGIC);
        e.u32(version);
        e.u64(tensors.size());
        e.u64(metadata.size());
        for (Map.Entry<String, GgufValue> kv : metadata.entrySet()) {
            e.string(kv.getKey());
            e.u32(kv.getValue().type().id());
            e.value(kv.getValue());
        }
        for (PlannedTensor t : tensors) {
            e.string(t.name());
            e.u32(t.dims().length);
            for (long d : t.dims()) e.u64(d);
            e.u32(t.type().id());
            e.u64(t.offset());
        }
        e.padTo(alignment());
        return e.toByteArray();
    }

    /** Bytes from the start of the data section to the end of the last tensor. */
    public long dataSize() { return nextOffset; }

    /** Size of the file {@link #write} makes. */
    public long fileSize() { return header().length + dataSize(); }

    /** Writes the whole file to {@code path} (created or truncated) and forces it to the storage device. */
    public void write(Path path, TensorData data) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            write(ch, data);
            ch.force(true);
        }
    }

    /** Writes the header, then asks {@code data} for every tensor in order, checking each gets exactly its size. */
    public void write(WritableByteChannel out, TensorData data) throws IOException {
        writeFully(out, ByteBuffer.wrap(header()));
        long position = 0;
        for (PlannedTensor t : tensors) {
            writeZeros(out, t.offset() - position);
            long[] written = {0};
            data.write(t, bytes -> {
                int n = bytes.remaining();
                if (n > t.byteSize() - written[0]) {
                    throw new IllegalStateException("tensor '" + t.name() + "': more than its " + t.byteSize() + " bytes were written");
                }
                writeFully(out, bytes);
                written[0] += n;
            });
            if (written[0] != t.byteSize()) {
                throw new IllegalStateException("tensor '" + t.name() + "': " + written[0] + " of its " + t.byteSize() + " bytes were written");
            }
            position = t.offset() + t.byteSize();
        }
    }

    private static void writeZeros(WritableByteChannel out, long count) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(count, 1 << 16));
        for (long left = count; left > 0; left -= zeros.limit()) {
            zeros.clear().limit((int) Math.min(left, zeros.capacity()));
            writeFully(out, zeros);
        }
    }

    private static void writeFully(WritableByteChannel out, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) out.write(bytes);
    }

    /** Keys and tensor names longer than {@link GgufReader} accepts would make a file no reader can open. */
    private static void checkNameLength(String what, String name) {
        long bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > GgufReader.MAX_KEY_BYTES) {
            throw new IllegalArgumentException(what + " of " + bytes + " bytes exceeds the limit of " + GgufReader.MAX_KEY_BYTES);
        }
    }

    private void checkAlignmentValue(GgufValue value) {
        long a = value.type().isInteger() ? value.asLong() : -1;
        if (a <= 0 || a > (1 << 20) || Long.bitCount(a) != 1) {
            throw new IllegalArgumentException("general.alignment must be a power of two up to 1 MiB, got " + value.display());
        }
        if (!tensors.isEmpty()) throw new IllegalStateException("set general.alignment before adding tensors");
    }
}
