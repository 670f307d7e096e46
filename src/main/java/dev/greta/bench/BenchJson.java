package dev.greta.bench;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The JSON conventions of the bench files (snake_case names, explicit nulls) and their atomic writing. */
public final class BenchJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private BenchJson() {}

    public static ObjectMapper mapper() { return MAPPER; }

    /**
     * Writes {@code value} to a temporary file beside {@code target} and renames it over the target, so a reader
     * (another terminal, or a resumed executor after a kill) sees either the old or the new file, never a torn one.
     */
    public static void writeAtomically(Path target, Object value) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            MAPPER.writeValue(tmp.toFile(), value);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static <T> T read(Path file, Class<T> type) throws IOException {
        return MAPPER.readValue(file.toFile(), type);
    }

    /**
     * Reads a file the user named: a missing, unreadable or malformed one is an IllegalArgumentException whose
     * one-line message is {@code subject} and the problem, never a stack trace.
     */
    public static <T> T readInput(Path file, Class<T> type, String subject) {
        if (Files.isDirectory(file)) throw new IllegalArgumentException(subject + ": is a directory, not a file");
        if (!Files.exists(file)) throw new IllegalArgumentException(subject + ": no such file");
        // A FIFO or device would block the read, or never end it.
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(subject + ": not a regular file");
        try {
            return read(file, type);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new IllegalArgumentException(subject + ": not a valid " + type.getSimpleName() + " ("
                    + e.getOriginalMessage().lines().findFirst().orElse("")
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()) + ")");
        } catch (IOException e) {
            throw new IllegalArgumentException(subject + ": cannot read it (" + e.getMessage() + ")");
        }
    }
}
