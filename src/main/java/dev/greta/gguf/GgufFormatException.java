package dev.greta.gguf;

import java.io.IOException;

/** A GGUF file that breaks the format: names the field and the byte offset where reading failed. */
public class GgufFormatException extends IOException {
    private final String field;
    private final long offset;

    public GgufFormatException(String field, long offset, String reason) {
        super(field + " at offset " + offset + ": " + reason);
        this.field = field;
        this.offset = offset;
    }

    public String field() { return field; }

    public long offset() { return offset; }
}
