package dev.greta.cli;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The files a user names on the command line, with errors that name the file and the reason (the JDK's own
 * messages are a bare path, "Is a directory" without the path, or "Input length = 1").
 */
final class InputFiles {
    private InputFiles() {}

    /** The content of a UTF-8 text file; malformed UTF-8 is an error, never replaced silently. */
    static String readUtf8(Path file, String what) throws IOException {
        if (Files.isDirectory(file)) throw new UnusableFile(what + " " + file + " is a directory, not a file");
        if (!Files.exists(file)) throw new UnusableFile(what + " " + file + " does not exist");
        // A FIFO or device would block the read, or never end it.
        if (!Files.isRegularFile(file)) throw new UnusableFile(what + " " + file + " is not a regular file");
        try {
            return Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new UnusableFile(what + " " + file + " is not valid UTF-8 text");
        } catch (AccessDeniedException e) {
            throw new UnusableFile(what + " " + file + " is not readable (permission denied)");
        }
    }

    /** A named file that cannot be used; its message names the file and the reason. */
    static final class UnusableFile extends IOException {
        UnusableFile(String message) { super(message); }
    }

    /** One line for a failure on {@code file} (or on the file the failure names). */
    static String describe(IOException e, Path file) {
        if (e instanceof UnusableFile unusable) return unusable.getMessage();
        if (e instanceof NoSuchFileException missing) return "no such file: " + missing.getFile();
        if (e instanceof AccessDeniedException denied) return "permission denied: " + denied.getFile();
        if (e instanceof FileSystemException other) return other.getMessage(); // "FILE: reason"
        return file + ": " + e.getMessage();
    }
}
