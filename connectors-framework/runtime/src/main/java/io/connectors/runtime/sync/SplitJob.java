package io.connectors.runtime.sync;

import java.time.Duration;
import java.util.Objects;

/**
 * How a job reads the splits of a {@code SplittableSource}: where they are coordinated, whether this worker coordinates
 * the job (plans, waits for every split, deletes) or only helps read it, and how to stop its reads gracefully.
 */
public final class SplitJob {
    private final SplitCoordination coordination;
    private final boolean coordinator;
    private final Duration saveInterval;
    private final Duration waitInterval;
    private volatile FullSync current;
    private volatile boolean draining;

    /**
     * @param saveInterval how often positions are saved (the heartbeat interval in a daemon)
     * @param waitInterval how often a coordinator looks at the splits other workers hold
     */
    public SplitJob(SplitCoordination coordination, boolean coordinator, Duration saveInterval, Duration waitInterval) {
        this.coordination = Objects.requireNonNull(coordination, "coordination");
        this.coordinator = coordinator;
        this.saveInterval = saveInterval;
        this.waitInterval = waitInterval;
    }

    public SplitCoordination coordination() {
        return coordination;
    }

    public boolean coordinator() {
        return coordinator;
    }

    Duration saveInterval() {
        return saveInterval;
    }

    Duration waitInterval() {
        return waitInterval;
    }

    /**
     * Stops the reads where they are, saving the acknowledged positions and releasing the splits; the sync then fails
     * with {@link FullSync.SplitsSuspendedException}. Does nothing to a job that reads no splits.
     */
    public void drain() {
        draining = true;
        FullSync f = current;
        if (f != null) {
            f.drain();
        }
    }

    /** Whether a split sync ran (or runs) under this job in this process. */
    public boolean attached() {
        return current != null;
    }

    /** Whether {@link #drain()} was called. */
    public boolean drainRequested() {
        return draining;
    }

    void attach(FullSync sync) {
        current = sync;
        if (draining) {
            sync.drain();
        }
    }
}
