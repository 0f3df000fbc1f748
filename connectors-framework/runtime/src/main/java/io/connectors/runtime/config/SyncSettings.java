package io.connectors.runtime.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How syncs run.
 *
 * @param maxConcurrentSyncs  syncs running at once across all connectors
 * @param reconcileBatchSize  documents whose stored versions are looked up in one request
 * @param reconcileBatchBytes bound on the serialized bytes held by one lookup batch
 * @param idSpillChunk        ids held in memory before they are sorted and spilled to disk
 * @param tempDir             where spilled id files go
 * @param progressInterval    how often a running sync reports progress
 */
public record SyncSettings(
        int maxConcurrentSyncs,
        int reconcileBatchSize,
        long reconcileBatchBytes,
        int idSpillChunk,
        Path tempDir,
        Duration progressInterval) {

    public static SyncSettings defaults() {
        return new SyncSettings(2, 500, 8L << 20, 100_000, Path.of(System.getProperty("java.io.tmpdir")),
                Duration.ofSeconds(5));
    }
}
