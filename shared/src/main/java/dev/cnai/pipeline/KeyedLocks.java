package dev.cnai.pipeline;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per key (a run, or a run's round), held only while someone uses it: an entry is removed when its last
 * holder releases it, so the map does not grow with the number of runs a long-lived process has seen.
 */
final class KeyedLocks {
    /** A held lock; closing releases it. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        int users;
    }

    private final Map<String, Entry> entries = new HashMap<>();

    Held lock(String key) {
        Entry e;
        synchronized (entries) {
            e = entries.computeIfAbsent(key, k -> new Entry());
            e.users++;
        }
        e.lock.lock();
        return () -> {
            e.lock.unlock();
            synchronized (entries) {
                if (--e.users == 0) {
                    entries.remove(key);
                }
            }
        };
    }

    /** Keys currently locked or waited for (0 when idle). */
    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }
}
