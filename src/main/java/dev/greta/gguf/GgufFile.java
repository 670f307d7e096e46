package dev.greta.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A GGUF file mapped read-only into memory. Tensor data is never copied: each {@link GgufTensor#data()} is a
 * slice of the mapping, valid until {@link #close()}. Works for files over 2 GiB.
 */
public final class GgufFile implements AutoCloseable {
    public static final int MAGIC = 0x46554747; // "GGUF" little-endian
    public static final int DEFAULT_ALIGNMENT = 32;

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final int version;
    private final GgufMetadata metadata;
    private final Map<String, GgufTensor> tensors;
    private final int alignment;
    private final long dataOffset;

    private GgufFile(Path path, Arena arena, MemorySegment mapping, GgufReader.Parsed parsed) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.version = parsed.version();
        this.metadata = parsed.metadata();
        this.alignment = parsed.alignment();
        this.dataOffset = parsed.dataOffset();
        LinkedHashMap<String, GgufTensor> byName = new LinkedHashMap<>();
        for (GgufTensor t : parsed.tensors()) byName.put(t.name(), t);
        this.tensors = Collections.unmodifiableMap(byName);
    }

    /** Maps and parses {@code path}; a malformed file fails with {@link GgufFormatException}. */
    public static GgufFile open(Path path) throws IOException {
        requireRegularFile(path);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return map(path, ch);
        }
    }

    /** Maps and parses the file open in {@code ch}, which stays open (the editor keeps its lock on it). */
    static GgufFile map(Path path, FileChannel ch) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment mapping = ch.size() == 0 ? MemorySegment.NULL.reinterpret(0)
                    : ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return new GgufFile(path, arena, mapping, GgufReader.parse(mapping));
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Refuses anything but a regular file (links followed) before it is opened: opening a FIFO blocks until a
     * writer comes, and a directory fails with an obscure message. A missing file is a {@link NoSuchFileException}.
     */
    public static void requireRegularFile(Path path) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
        if (attributes.isDirectory()) throw new FileSystemException(path.toString(), null, "is a directory, not a GGUF file");
        if (!attributes.isRegularFile()) throw new FileSystemException(path.toString(), null, "not a regular file");
    }

    public Path path() { return path; }

    public int version() { return version; }

    public GgufMetadata metadata() { return metadata; }

    public int alignment() { return alignment; }

    /** Absolute offset of the tensor data section in the file. */
    public long dataOffset() { return dataOffset; }

    public long fileSize() { return mapping.byteSize(); }

    /** Tensors in file order. */
    public List<GgufTensor> tensors() { return List.copyOf(tensors.values()); }

    public boolean hasTensor(String name) { return tensors.containsKey(name); }

    public GgufTensor tensor(String name) {
        GgufTensor t = tensors.get(name);
        if (t == null) throw new NoSuchElementException("tensor '" + name + "' is not in " + path);
        return t;
    }

    /** The whole mapped file. */
    public MemorySegment mapping() { return mapping; }

    @Override
    public void close() { arena.close(); }
}
