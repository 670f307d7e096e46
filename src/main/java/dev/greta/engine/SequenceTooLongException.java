package dev.greta.engine;

/** A prompt that does not fit the session's max sequence length; the CLI exits with status 2. */
public final class SequenceTooLongException extends RuntimeException {
    public SequenceTooLongException(String message) { super(message); }
}
