package dev.greta.gguf;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The file a patch replaces: {@code given} as the user named it (for messages), {@code file} the real path to
 * write. A link is followed, so the new file replaces its target and the link keeps pointing at it.
 */
record PatchTarget(Path given, Path file, boolean exists) {

    /** Checks before any work that {@code given} can be replaced or created, with a message naming it. */
    static PatchTarget of(Path given) throws IOException {
        if (Files.isSymbolicLink(given) && !Files.exists(given)) {
            throw new FileSystemException(given.toString(), null, "cannot write: it is a link to a missing file ("
                    + Files.readSymbolicLink(given) + ")");
        }
        if (Files.exists(given)) {
            Path file = given.toRealPath();
            PatchTarget target = new PatchTarget(given, file, true);
            if (Files.isDirectory(file)) throw target.cannotWrite("it is a directory");
            if (!Files.isRegularFile(file)) throw target.cannotWrite("not a regular file");
            if (!Files.isWritable(file)) throw target.cannotWrite("the file is read-only");
            target.requireWritableDirectory();
            return target;
        }
        Path file = given.toAbsolutePath();
        if (!Files.isDirectory(file.getParent())) {
            throw new FileSystemException(Objects.requireNonNullElse(given.getParent(), Path.of(".")).toString(), null, "output directory does not exist");
        }
        PatchTarget target = new PatchTarget(given, file, false);
        target.requireWritableDirectory();
        return target;
    }

    Path directory() { return file.getParent(); }

    /** Names the user's path, never the temporary file's. */
    FileSystemException cannotWrite(String reason) { return new FileSystemException(given.toString(), null, "cannot write: " + reason); }

    /** A failure on the temporary file, told as a failure to write the user's path. */
    FileSystemException cannotWrite(FileSystemException e) {
        return cannotWrite(e instanceof AccessDeniedException ? "permission denied" : Objects.requireNonNullElse(e.getReason(), e.getClass().getSimpleName()));
    }

    private void requireWritableDirectory() throws IOException {
        // The new file is created beside the old one and renamed over it, so the directory must be writable too.
        if (!Files.isWritable(directory())) throw cannotWrite("the directory is not writable");
    }
}
