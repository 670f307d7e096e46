package dev.greta.cli;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files a user names on the command line, checked before use so that an error names the file and the reason
 * (the JDK's own messages are a bare path, "Is a directory" without the path, or "Input length = 1").
 */
final class InputFiles {
    private InputFiles() {}

    /** Throws an IOException saying what is wrong unless {@code file} is a readable regular file. */
    static void requireReadableFile(Path file, String what) throws IOException {
        if (Files.isDirectory(file)) throw new IOException(what + " " + file + " is a directory, not a file");
        if (!Files.exists(file)) throw new IOException(what + " " + file + " does not exist");
        if (!Files.isRegularFile(file)) throw new IOException(what + " " + file + " is not a regular file");
        if (!Files.isReadable(file)) throw new IOException(what + " " + file + " is not readable (permission denied)");
    }

    /** The content of a UTF-8 text file; malformed UTF-8 is an error, never replaced silently. */
    static String readUtf8(Path file, String what) throws IOException {
        requireReadableFile(file, what);
        try {
            return Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new IOException(what + " " + file + " is not valid UTF-8 text");
        }
    }
}
