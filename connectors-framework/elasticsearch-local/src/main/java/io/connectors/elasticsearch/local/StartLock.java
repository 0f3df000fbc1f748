package io.connectors.elasticsearch.local;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serializes the launchers starting on one data folder, across processes (a file lock on {@value #FILE}) and within
 * this one (file locks are per process): the second one waits until the first has started its node and recorded
 * itself as the owner, and then attaches to that node instead of starting or stopping one.
 */
final class StartLock implements AutoCloseable {
    static final String FILE = "launcher.lock";
    private static final ConcurrentMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final ReentrantLock local;
    private final FileChannel channel;
    private final FileLock lock;

    private StartLock(ReentrantLock local, FileChannel channel, FileLock lock) {
        this.local = local;
        this.channel = channel;
        this.lock = lock;
    }

    /** Waits for, then takes, the start lock of {@code dataDir} (which must exist). */
    static StartLock acquire(Path dataDir) throws IOException {
        ReentrantLock local = IN_PROCESS.computeIfAbsent(dataDir.toAbsolutePath().normalize(), p -> new ReentrantLock());
        local.lock();
        FileChannel channel = null;
        try {
            channel = FileChannel.open(dataDir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            return new StartLock(local, channel, channel.lock());
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            local.unlock();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // Closing the channel releases the lock whatever happens; nothing is left to undo.
        } finally {
            local.unlock();
        }
    }
}
