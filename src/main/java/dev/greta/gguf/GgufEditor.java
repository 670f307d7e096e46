package dev.greta.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Changes metadata of a GGUF file. The new header is written to a temporary file beside the target, followed by
 * the data section copied byte for byte (tensor offsets are relative to it, and both data sections start
 * aligned, so every tensor stays aligned); the temporary file is forced to disk, read back with the same reader
 * that opens files, checked for problems the original did not have, and only then atomically renamed over the
 * target. An interruption or a refusal at any point leaves the original file as it was.
 */
public final class GgufEditor {

    /** Runs once the temporary file is complete and forced, before it is checked and renamed; tests use it. */
    @FunctionalInterface
    interface AfterWrite {
        void run(Path temp) throws IOException;
    }

    /** The patched file would fail {@link GgufVerifier} in ways the original did not. */
    public static final class NewProblemsException extends IOException {
        NewProblemsException(List<GgufVerifier.Problem> problems) {
            super("the change would add " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + ": "
                    + problems.stream().map(Object::toString).collect(Collectors.joining("; ")));
        }
    }

    private final boolean allowNewProblems;
    private final AfterWrite afterWrite;

    /** An editor that refuses changes adding verifier problems. */
    public GgufEditor() { this(false); }

    /** With {@code allowNewProblems}, writes a change even when the result fails {@link GgufVerifier}. */
    public GgufEditor(boolean allowNewProblems) { this(allowNewProblems, temp -> { }); }

    GgufEditor(AfterWrite afterWrite) { this(false, afterWrite); }

    private GgufEditor(boolean allowNewProblems, AfterWrite afterWrite) {
        this.allowNewProblems = allowNewProblems;
        this.afterWrite = afterWrite;
    }

    /**
     * Writes {@code source} with {@code changes} applied (keys added at the end, existing keys changed in place)
     * to {@code target}, which may be {@code source} itself, or a link (its target is replaced). Patches of one
     * file are serialised, across processes too, so concurrent changes of different keys all survive.
     */
    public void apply(Path source, Path target, Map<String, GgufValue> changes) throws IOException {
        GgufFile.requireRegularFile(source);
        PatchTarget destination = PatchTarget.of(target);
        if (destination.exists() && Files.isSameFile(source, destination.file())) {
            try (ReplaceLock lock = ReplaceLock.acquire(destination.file())) {
                replace(source, lock.channel(), destination, changes);
            }
        } else {
            try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
                replace(source, in, destination, changes);
            }
        }
    }

    private void replace(Path source, FileChannel in, PatchTarget target, Map<String, GgufValue> changes) throws IOException {
        Path temp = createTemp(target);
        try {
            try (GgufFile original = GgufFile.map(source, in)) {
                try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    ByteBuffer h = ByteBuffer.wrap(newHeader(original, changes));
                    while (h.hasRemaining()) out.write(h);
                    copyDataSection(in, original.dataOffset(), out);
                    out.force(true);
                }
                afterWrite.run(temp);
                checkReadsBack(temp, original, changes, target);
                if (!allowNewProblems) refuseNewProblems(temp, original);
            }
            // A replaced file keeps its attributes; a new output gets the defaults of any new file, not the
            // source's (a read-only source would make it read-only, and its owner would not be the user's).
            if (target.exists()) copyAttributes(target.file(), temp);
            try {
                Files.move(temp, target.file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw target.cannotWrite("it cannot be replaced atomically");
            }
            forceDirectory(target.directory());
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(temp);
            if (e instanceof FileSystemException f && temp.toString().equals(f.getFile())) throw target.cannotWrite(f);
            throw e;
        }
    }

    /** The temporary file beside the target; a failure names the user's path, not the temporary one. */
    private static Path createTemp(PatchTarget target) throws IOException {
        try {
            // Not createTempFile: its owner-only mode would stay on a new output (a replaced file gets its own back).
            return Files.createFile(target.directory().resolve("." + target.file().getFileName() + "."
                    + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".tmp"));
        } catch (AccessDeniedException e) {
            throw target.cannotWrite("the directory is not writable");
        } catch (FileSystemException e) {
            throw target.cannotWrite(e);
        }
    }

    /** Parses the new file as {@link GgufFile#open} will, and checks it holds exactly what was meant. */
    private static void checkReadsBack(Path temp, GgufFile original, Map<String, GgufValue> changes, PatchTarget target) throws IOException {
        Map<String, GgufValue> expected = new LinkedHashMap<>(original.metadata().asMap());
        expected.putAll(changes);
        try (GgufFile written = GgufFile.open(temp)) {
            if (!written.metadata().asMap().equals(expected) || !sameTensorTable(written, original)) {
                throw new IOException("the patched file does not read back as written; " + target.given() + " is unchanged");
            }
        } catch (GgufFormatException e) {
            throw new IOException("the patched file would not be readable (" + e.getMessage() + "); " + target.given() + " is unchanged", e);
        }
    }

    private static boolean sameTensorTable(GgufFile a, GgufFile b) {
        List<GgufTensor> x = a.tensors();
        List<GgufTensor> y = b.tensors();
        if (x.size() != y.size()) return false;
        for (int i = 0; i < x.size(); i++) {
            GgufTensor s = x.get(i);
            GgufTensor t = y.get(i);
            if (!s.name().equals(t.name()) || s.type() != t.type() || !Arrays.equals(s.dims(), t.dims()) || s.offset() != t.offset()) return false;
        }
        return true;
    }

    /** Structure only: the data section is a byte copy, so its values cannot have changed. */
    private static void refuseNewProblems(Path temp, GgufFile original) throws IOException {
        List<GgufVerifier.Problem> added = new ArrayList<>(GgufVerifier.verify(temp, false));
        added.removeAll(GgufVerifier.verify(original.mapping(), false));
        if (!added.isEmpty()) throw new NewProblemsException(added);
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
    private static void copyDataSection(FileChannel in, long dataOffset, FileChannel out) throws IOException {
        long size = in.size();
        long position = dataOffset;
        while (position < size) position += in.transferTo(position, size - position, out);
    }

    /** The new file keeps the mode, and the owner and group where this process may set them. */
    private static void copyAttributes(Path from, Path to) throws IOException {
        PosixFileAttributeView src = Files.getFileAttributeView(from, PosixFileAttributeView.class);
        PosixFileAttributeView dst = Files.getFileAttributeView(to, PosixFileAttributeView.class);
        if (src == null || dst == null) return;
        PosixFileAttributes attributes = src.readAttributes();
        dst.setPermissions(attributes.permissions());
        try {
            dst.setGroup(attributes.group());
            dst.setOwner(attributes.owner());
        } catch (FileSystemException e) {
            // Only root may give a file away, and only members may pick a group; the mode is what protects it.
        }
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
