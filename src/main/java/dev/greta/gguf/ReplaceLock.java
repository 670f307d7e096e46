package dev.greta.gguf;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serialises read-modify-replace of one file across processes, so that two patches never both start from the
 * same original. The lock is on the file itself rather than on a sidecar, which would be left behind: since each
 * replace renames a new file over the path, a waiter that wakes holding the lock of a file no longer at the path
 * lets go and locks the new one.
 *
 * <p>All reads of the file while locked must go through {@link #channel()}: POSIX drops a process's locks on a
 * file when any of its channels to that file is closed.
 */
final class ReplaceLock implements AutoCloseable {
    // FileChannel locks belong to the whole JVM (a second lock on one file throws), so threads queue here first.
    private static final ReentrantLock IN_PROCESS = new ReentrantLock();

    private final FileChannel channel;

    private ReplaceLock(FileChannel channel) { this.channel = channel; }

    static ReplaceLock acquire(Path file) throws IOException {
        IN_PROCESS.lock();
        try {
            while (true) {
                Object before = fileKey(file);
                FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                try {
                    ch.lock();
                    if (Objects.equals(before, fileKey(file))) return new ReplaceLock(ch);
                } catch (IOException | RuntimeException | Error e) {
                    ch.close();
                    throw e;
                }
                ch.close(); // replaced while we waited: lock the file now at the path
            }
        } catch (IOException | RuntimeException | Error e) {
            IN_PROCESS.unlock();
            throw e;
        }
    }

    /** The locked file, open for reading. */
    FileChannel channel() { return channel; }

    private static Object fileKey(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            IN_PROCESS.unlock();
        }
    }
}
