package dev.greta.backend.cpu;

/** An allocation refused because it cannot fit in memory. */
public final class InsufficientMemoryException extends RuntimeException {
    public InsufficientMemoryException(String message) { super(message); }
}
