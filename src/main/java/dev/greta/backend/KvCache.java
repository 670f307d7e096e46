package dev.greta.backend;

/** A backend's key/value cache for every layer of a model. */
public interface KvCache extends AutoCloseable {
    int maxSeq();

    KvType type();

    /** Bytes held by the cache. */
    long bytes();

    @Override
    void close();
}
