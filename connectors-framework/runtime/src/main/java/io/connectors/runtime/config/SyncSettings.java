package io.connectors.runtime.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How syncs run.
 *
 * @param maxConcurrentSyncs  syncs running at once across all connectors
 * @param reconcileBatchSize  documents compared, built and serialized together by one worker (and, in incremental
 *                            syncs, whose stored versions are looked up in one request)
 * @param workers             batches of documents compared, built and serialized at once, per sync
 * @param tempDir             where the stored versions of a full sync's index go
 * @param progressInterval    how often a running sync reports progress
 */
public record SyncSettings(
        int maxConcurrentSyncs,
        int reconcileBatchSize,
        int workers,
        Path tempDir,
        Duration progressInterval) {

    public static SyncSettings defaults() {
        return new SyncSettings(2, 500, defaultWorkers(), Path.of(System.getProperty("java.io.tmpdir")),
                Duration.ofSeconds(5));
    }

    /** One worker per core, at least two so that building and comparing overlap. */
    public static int defaultWorkers() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }
}
