package dev.greta.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.Map;

/**
 * Changes metadata of a GGUF file. The new header is written to a temporary file beside the target, followed by
 * the data section copied byte for byte (tensor offsets are relative to it, and both data sections start
 * aligned, so every tensor stays aligned); the temporary file is forced to disk and then atomically renamed
 * over the target. An interruption at any point leaves the original file as it was.
 */
public final class GgufEditor {

    /** Runs after the temporary file is complete and forced, just before the rename; tests make it throw. */
    @FunctionalInterface
    interface BeforeRename {
        void run(Path temp) throws IOException;
    }

    private final BeforeRename beforeRename;

    public GgufEditor() { this(temp -> { }); }

    GgufEditor(BeforeRename beforeRename) { this.beforeRename = beforeRename; }

    /**
     * Writes {@code source} with {@code changes} applied (keys added at the end, existing keys changed in place)
     * to {@code target}, which may be {@code source} itself.
     */
    public void apply(Path source, Path target, Map<String, GgufValue> changes) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            try (GgufFile in = GgufFile.open(source); FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                byte[] header = newHeader(in, changes);
                ByteBuffer h = ByteBuffer.wrap(header);
                while (h.hasRemaining()) out.write(h);
                copyDataSection(source, in.dataOffset(), out);
                out.force(true);
            }
            copyPermissions(source, temp);
            beforeRename.run(temp);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot atomically replace " + target + " (" + e.getMessage() + ")", e);
            }
            forceDirectory(dir);
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    private static byte[] newHeader(GgufFile in, Map<String, GgufValue> changes) {
        GgufWriter w = new GgufWriter(in.version());
        w.putAll(in.metadata().asMap());
        w.putAll(changes);
        int alignment = w.alignment();
        for (GgufTensor t : in.tensors()) {
            if (t.offset() % alignment != 0) {
                throw new IllegalArgumentException("general.alignment " + alignment + " would misalign tensor '" + t.name() + "' at data offset " + t.offset());
            }
            w.addTensorAt(t.name(), t.type(), t.dims(), t.offset());
        }
        return w.header();
    }

    /** Copies everything from the old data section's start to the end of the file. */
    private static void copyDataSection(Path source, long dataOffset, FileChannel out) throws IOException {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
            long size = in.size();
            long position = dataOffset;
            while (position < size) position += in.transferTo(position, size - position, out);
        }
    }

    private static void copyPermissions(Path from, Path to) throws IOException {
        PosixFileAttributeView src = Files.getFileAttributeView(from, PosixFileAttributeView.class);
        PosixFileAttributeView dst = Files.getFileAttributeView(to, PosixFileAttributeView.class);
        if (src != null && dst != null) dst.setPermissions(src.readAttributes().permissions());
    }

    /** Makes the rename itself durable; not every platform lets a directory be opened for this. */
    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // Windows cannot open directories; the rename is still atomic there, only its durability is weaker.
        }
    }
}
