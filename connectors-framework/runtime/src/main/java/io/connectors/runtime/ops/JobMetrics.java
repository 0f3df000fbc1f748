package io.connectors.runtime.ops;

import java.util.Map;

/**
 * The metrics of one running job, from {@link DaemonMetrics#jobStarted}. Thread-safe.
 */
public interface JobMetrics {

    /**
     * Reports the job's cumulative counts so far; the document and byte counters grow by the difference with the
     * previous report. Called every few seconds while the job runs and once more at its end, before
     * {@link #finished}.
     *
     * @param cumulativeCounts counts since the job began, by key: {@code seen}, {@code indexed}, {@code updated},
     *                         {@code unchanged}, {@code deleted}, {@code dropped}, {@code failed}, {@code bytes}
     *                         (as {@link io.connectors.runtime.sync.SyncStats#snapshot()} gives them); missing
     *                         keys and other keys are ignored
     */
    void progress(Map<String, Long> cumulativeCounts);

    /**
     * The job ended. Counts it in {@code connectors.jobs.finished} and removes it from
     * {@code connectors.jobs.running}; only the first call counts.
     *
     * @param status {@code completed}, {@code completed_with_errors}, {@code error}, {@code canceled},
     *               {@code suspended} or {@code skipped}
     */
    void finished(String status);
}
