package io.connectors.runtime.sync;

import io.connectors.spi.BaseDataSource;
import reactor.core.publisher.Mono;

/**
 * How a job decides whether it needs to read its source at all, and whom it tells that it read it.
 *
 * <p>{@link SyncRunner} calls, for one job, in this order: {@link #skipReason} once, after the source's
 * configuration was validated; then, unless the job is skipped, {@link #reading()} just before the sync starts
 * reading the source; then {@link #completed()} if the sync completed with every document written (not after
 * documents Elasticsearch refused: the job is then {@code completed_with_errors}). A daemon with a change watcher
 * uses the last two to learn which source state the index reflects
 * ({@code io.connectors.runtime.daemon.ChangeWatchers}); the command line uses {@link #NONE} or {@link #ASK_SOURCE}.
 */
public interface ChangeCheck {
    /** The job always runs (on-demand jobs, resumed jobs). */
    ChangeCheck NONE = source -> Mono.empty();

    /** The job is skipped when the source's {@link BaseDataSource#changed()} says nothing changed. */
    ChangeCheck ASK_SOURCE = ChangeCheck::askSource;

    /**
     * Why the job need not run, or empty to run it. Lazy; subscribed once per job.
     *
     * @param source the job's source, its configuration validated
     */
    Mono<String> skipReason(BaseDataSource source);

    /** The job is about to read the source (not called for a skipped job). Must be cheap and not block. */
    default void reading() {
    }

    /**
     * The job's sync completed and no document failed: the index reflects the source as it was at
     * {@link #reading()} or later.
     */
    default void completed() {
    }

    /** What {@link #ASK_SOURCE} does: the skip reason when {@link BaseDataSource#changed()} emits false. */
    static Mono<String> askSource(BaseDataSource source) {
        return source.changed()
                .filter(changed -> !changed)
                .map(unchanged -> "the source reported no change since the last sync");
    }
}
