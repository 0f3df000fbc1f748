package io.connectors.spi;

import reactor.core.publisher.Flux;

/**
 * Capability: the source can watch its backend for changes while the daemon runs, so that a scheduled sync of a
 * source that did not change since its last completed sync is recorded as {@code skipped} without reading it.
 *
 * <p>The runtime creates one dedicated instance per connector for the watch (never the instance of a job),
 * subscribes to {@link #watchChanges()} at start-up, and closes that instance at shutdown (after cancelling the
 * subscription). What the watch reports is kept in the daemon's memory only: after a restart, the first scheduled
 * sync of each connector runs.
 *
 * <p>How the runtime uses it: a job notes where the watch stood (which subscription, how many {@code CHANGED}
 * signals) just before it reads the source; when that job completes, a later scheduled sync is skipped if the same
 * subscription is still established and reported no {@code CHANGED} since. A change reported late, or reported for
 * something the job read anyway, only makes the next sync run: a spurious {@code CHANGED} costs a sync, a missing
 * one loses a change until the next unskipped sync. When in doubt, emit {@code CHANGED}, or fail the watch.
 */
public interface ChangeWatchingSource {

    /**
     * Watches the backend.
     *
     * <p>Emits {@link Signal#WATCHING} once every change made from that moment on is certain to be reported
     * (the watch is established), then {@link Signal#CHANGED} for changes: several changes may be reported as one
     * signal, but a change is never left out. The flux does not complete while the watch is healthy (completing
     * is treated like an error); an error ends the watch, and the runtime forgets what it knew (the next scheduled
     * sync runs) and subscribes again after a jittered back-off (1 s, growing to 1 min while subscriptions fail
     * without emitting anything). Each subscription is a new watch that starts with {@code WATCHING} again. Lazy
     * (nothing happens before subscription), cancellable (cancelling releases what the watch holds), and like
     * every publisher here it must not block. Signals may be emitted from any thread, serially.
     */
    Flux<Signal> watchChanges();

    /** What a watch reports. */
    enum Signal {
        /** The watch is established: every change from now on will be reported. */
        WATCHING,
        /** Something changed. */
        CHANGED
    }
}
