package dev.cnai.registry.impl;

import dev.cnai.registry.RegistryException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Serialises writers of one model's layout: a JVM-wide lock per lock file (so several registry instances on
 * the same root in one process exclude each other) plus an OS file lock on {@code <root>/.locks/<name>.lock}
 * (so separate processes on a shared filesystem with working {@code flock} do too).
 */
final class LayoutLocks {
    private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private LayoutLocks() {
    }

    static <T> T withLock(Path root, String name, Supplier<T> action) {
        Path lockFile = root.resolve(".locks").resolve(name + ".lock").toAbsolutePath().normalize();
        ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(lockFile, p -> new ReentrantLock());
        jvmLock.lock();
        try {
            Files.createDirectories(lockFile.getParent());
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = channel.lock()) {
                return action.get();
            }
        } catch (IOException e) {
            throw RegistryException.io("locking model " + name + " in " + root, e);
        } finally {
            jvmLock.unlock();
        }
    }
}
