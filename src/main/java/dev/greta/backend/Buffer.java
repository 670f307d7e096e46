package dev.greta.backend;

/** A float32 rows x cols activation buffer owned by a backend. */
public interface Buffer {
    int rows();

    int cols();
}
