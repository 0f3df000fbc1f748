package io.connectors.spi;

import io.connectors.spi.rules.SyncRules;
import reactor.core.publisher.Flux;

/**
 * Capability: the source can sync only what changed since a saved cursor.
 *
 * <p>Implemented next to {@link BaseDataSource} by a source class; the runtime detects it with
 * {@code instanceof}.
 */
public interface IncrementalSource {

    /**
     * Streams the changes since {@code cursor} as index and delete operations, with {@link ChangeEvent.Checkpoint}
     * events whenever everything before them is covered by a new cursor; the last event of a completed flux
     * should be a checkpoint. Lazy, backpressured and cancellable like {@link BaseDataSource#getDocs}.
     *
     * @param cursor the cursor of the last acknowledged checkpoint, or {@code null} when there is none (the
     *               runtime then runs a full sync first, so a source may fail with {@link SourceException})
     * @param rules  the sync rules in force
     * @throws CursorExpiredException (as {@code onError}) when the cursor can no longer be resumed: the runtime
     *                         then falls back to a full sync and says so in the job record; any other error
     *                         fails the job
     */
    Flux<ChangeEvent> getDocsIncrementally(SyncCursor cursor, SyncRules rules);

    /**
     * The cursor describing the source's current position, taken before a full sync starts so the next
     * incremental sync misses nothing that happened during it. Lazy.
     */
    reactor.core.publisher.Mono<SyncCursor> currentCursor();
}
