package io.connectors.runtime.config;

import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.SourceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How syncs run: the {@code sync} settings, each declared once below.
 *
 * @param maxConcurrentSyncs  syncs running at once across all connectors
 * @param reconcileBatchSize  documents compared, built and serialized together by one worker (and, in incremental
 *                            syncs, whose stored versions are looked up in one request)
 * @param workers             batches of documents compared, built and serialized at once, per sync
 * @param tempDir             where the stored versions of a full sync's index go
 * @param progressInterval    how often a running sync reports progress
 * @param maxConcurrentSplits splits of one full sync read at once by this daemon (sources that divide their reads)
 */
public record SyncSettings(
        int maxConcurrentSyncs,
        int reconcileBatchSize,
        int workers,
        Path tempDir,
        Duration progressInterval,
        int maxConcurrentSplits) {

    public static final ConfigField MAX_CONCURRENT_SYNCS = ConfigField.integer("max_concurrent_syncs").defaultValue(2L)
            .validate(ConfigField.atLeast(1)).validate(ConfigField.atMost(1024))
            .description("Jobs running at once in this daemon, across all its connectors.");
    public static final ConfigField RECONCILE_BATCH_SIZE = ConfigField.integer("reconcile_batch_size")
            .defaultValue(500L).validate(ConfigField.atLeast(1)).validate(ConfigField.atMost(100_000))
            .description("Documents compared with the index, built and serialized together by one worker; in"
                    + " incremental syncs, documents whose stored versions are read in one request.");
    public static final ConfigField WORKERS = ConfigField.integer("workers").defaultValue(0L)
            .validate(ConfigField.atLeast(0)).validate(ConfigField.atMost(1024))
            .description("Batches compared, built and serialized at once, per sync. `0`: one per core, at least 2.");
    public static final ConfigField TEMP_DIR = ConfigField.string("temp_dir").defaultValue("")
            .description("Where a full sync keeps the ids and versions its index held when it started (deleted after"
                    + " each sync). Empty: the JVM's temporary folder.");
    public static final ConfigField MAX_CONCURRENT_SPLITS = ConfigField.integer("max_concurrent_splits")
            .defaultValue(0L).validate(ConfigField.atLeast(0)).validate(ConfigField.atMost(1024))
            .description("Splits of one full sync this daemon reads at once, for sources that divide their full read"
                    + " (PostgreSQL key ranges, MongoDB `_id` ranges, directory subtrees); they share the sync's bulk"
                    + " requests. Other daemons serving the connector read the rest. `0`: one per core.");

    // tag::setting-declaration[]
    public static final ConfigField PROGRESS_INTERVAL = ConfigField.duration("progress_interval").defaultValue("5s")
            .validate(ConfigField.positiveDuration())
            .description("How often a running sync reports its counts.");

    /** The {@code sync} settings. */
    public static final SettingsGroup GROUP = new SettingsGroup("sync", "How syncs run.",
            List.of(MAX_CONCURRENT_SYNCS, RECONCILE_BATCH_SIZE, WORKERS, TEMP_DIR, PROGRESS_INTERVAL,
                    MAX_CONCURRENT_SPLITS));
    // end::setting-declaration[]

    /** The bound {@code sync} settings; {@code null} when they have problems (reported in {@code values}). */
    // tag::setting-use[]
    static SyncSettings from(SettingValues values) {
        if (!values.bound(GROUP)) {
            return null;
        }
        SourceConfig v = values.of(GROUP);
        int workers = (int) v.integer(WORKERS);
        int splits = (int) v.integer(MAX_CONCURRENT_SPLITS);
        String temp = v.string(TEMP_DIR);
        return new SyncSettings((int) v.integer(MAX_CONCURRENT_SYNCS), (int) v.integer(RECONCILE_BATCH_SIZE),
                workers == 0 ? defaultWorkers() : workers,
                Path.of(temp.isBlank() ? System.getProperty("java.io.tmpdir") : temp),
                v.duration(PROGRESS_INTERVAL),
                splits == 0 ? Runtime.getRuntime().availableProcessors() : splits);
    }
    // end::setting-use[]

    /** Every {@code sync} setting at its declared default. */
    public static SyncSettings defaults() {
        return from(SettingValues.defaults());
    }

    /** These settings with another {@code max_concurrent_splits}. */
    public SyncSettings withMaxConcurrentSplits(int splits) {
        return new SyncSettings(maxConcurrentSyncs, reconcileBatchSize, workers, tempDir, progressInterval, splits);
    }

    /** One worker per core, at least two so that building and comparing overlap. */
    public static int defaultWorkers() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }
}
