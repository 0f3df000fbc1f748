package io.connectors.spi;

import io.connectors.spi.rules.SyncRules;
import reactor.core.publisher.Flux;

/**
 * Capability: the source can follow its changes continuously, for connectors in real-time mode
 * ({@code realtime: true} in {@code config.yml}): one long-running job keeps the index within seconds of the
 * backend.
 *
 * <p>Implemented next to {@link BaseDataSource}; the runtime detects it with {@code instanceof}, and refuses to
 * start a daemon with a real-time connector whose source does not implement it. A real-time job is run like any
 * job (claimed, locked, heartbeated); it ends when it is cancelled (the subscription to {@link #followChanges} is
 * cancelled, then the instance closed), when the source fails, or when a change cannot be written; the daemons then
 * start the next job after {@code daemon.realtime_restart_delay}, from the last saved cursor.
 */
public interface RealtimeSource extends IncrementalSource {

    /**
     * Follows the changes after {@code cursor} as they happen: like {@link #getDocsIncrementally} but the flux
     * does not complete while the source is healthy. The source emits a {@link ChangeEvent.Checkpoint} after each
     * batch it read (and while idle, when its position moved), so the runtime saves the cursor as soon as the
     * batch was acknowledged and a restart resumes from there. The runtime writes what it has within
     * {@code bulk.flush_interval} (at most 100 ms for real-time jobs) even while the flux is quiet, and saves a
     * checkpoint that arrives while nothing is pending at once. Backpressure applies: the source must not read
     * much further ahead than requested.
     *
     * @param cursor the cursor of the last acknowledged checkpoint; never {@code null} (the runtime runs a full
     *               sync first when there is none)
     * @param rules  the sync rules in force
     * @throws CursorExpiredException (as {@code onError}) when the cursor can no longer be resumed: the runtime
     *                         then runs a full sync and follows from the cursor taken before it
     */
    Flux<ChangeEvent> followChanges(SyncCursor cursor, SyncRules rules);

    /**
     * The runtime saved {@code cursor}: every change before its checkpoint was acknowledged by Elasticsearch, and the
     * cursor is stored, so a restart resumes after it. A source whose backend keeps changes until told (a PostgreSQL
     * replication slot retains WAL up to its confirmed position) confirms the position here, never earlier: what was
     * read but not yet written is then never lost. Called after each save, in order and never concurrently, on a
     * thread that must not block; a failure here is logged and does not stop the job. Default: nothing.
     */
    default void checkpointSaved(SyncCursor cursor) {
    }
}
