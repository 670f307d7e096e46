package dev.greta.backend;

/** A weight tensor bound to a backend (mapped host memory, or uploaded to a device). */
public interface Weights {
    /** Output features (rows of the GGML matrix); 1 for a vector. */
    int rows();

    /** Input features (ne0). */
    int cols();
}
