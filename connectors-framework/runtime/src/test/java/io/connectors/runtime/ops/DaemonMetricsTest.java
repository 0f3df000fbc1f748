package io.connectors.runtime.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.runtime.sink.BulkSink;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DaemonMetricsTest {
    private final DaemonMetrics metrics = new DaemonMetrics();
    private final MeterRegistry registry = metrics.registry();

    @AfterEach
    void close() {
        metrics.close();
    }

    @Test
    void progressTurnsCumulativeCountsIntoCounterIncrements() {
        JobMetrics job = metrics.jobStarted("docs", "full");

        job.progress(Map.of("seen", 10L, "indexed", 5L, "unchanged", 3L, "bytes", 100L));
        job.progress(Map.of("seen", 20L, "indexed", 8L, "updated", 2L, "unchanged", 3L, "failed", 1L, "bytes", 150L));

        assertThat(documents("docs", "indexed")).isEqualTo(8);
        assertThat(documents("docs", "updated")).isEqualTo(2);
        assertThat(documents("docs", "unchanged")).isEqualTo(3);
        assertThat(documents("docs", "failed")).isEqualTo(1);
        assertThat(documents("docs", "deleted")).isZero();
        assertThat(registry.get("connectors.bytes").tag("connector", "docs").counter().count()).isEqualTo(150);
        assertThat(metrics.scrape()).contains(
                "connectors_documents_total{connector=\"docs\",outcome=\"indexed\"} 8.0",
                "connectors_bytes_total{connector=\"docs\"} 150.0");
    }

    @Test
    void jobsOfOneConnectorAddUpAndAFallingCountAddsNothing() {
        JobMetrics first = metrics.jobStarted("docs", "full");
        first.progress(Map.of("indexed", 5L));
        first.finished("completed");
        JobMetrics second = metrics.jobStarted("docs", "incremental");
        second.progress(Map.of("indexed", 4L));
        second.progress(Map.of("indexed", 1L));
        second.progress(Map.of("indexed", 3L));

        assertThat(documents("docs", "indexed")).isEqualTo(5 + 4 + 2);
    }

    @Test
    void runningAndFinishedJobs() {
        JobMetrics a = metrics.jobStarted("docs", "full");
        JobMetrics b = metrics.jobStarted("wiki", "full");
        assertThat(registry.get("connectors.jobs.running").gauge().value()).isEqualTo(2);

        a.finished("completed");
        a.finished("error");
        b.finished("error");

        assertThat(registry.get("connectors.jobs.running").gauge().value()).isZero();
        assertThat(registry.get("connectors.jobs.finished").tags("connector", "docs", "type", "full", "status",
                "completed").counter().count()).isEqualTo(1);
        assertThat(registry.find("connectors.jobs.finished").tags("connector", "docs", "status", "error").counter())
                .as("only the first end counts").isNull();
        assertThat(metrics.scrape()).contains(
                "connectors_jobs_finished_total{connector=\"wiki\",status=\"error\",type=\"full\"} 1.0",
                "connectors_jobs_running 0.0");
    }

    @Test
    void aJobThatCompletedWithRefusedDocumentsIsCountedByItsOwnStatusAndItsDocumentsAsFailed() {
        JobMetrics clean = metrics.jobStarted("docs", "full");
        clean.progress(Map.of("seen", 10L, "indexed", 10L));
        clean.finished("completed");
        JobMetrics refused = metrics.jobStarted("docs", "full");
        refused.progress(Map.of("seen", 10L, "indexed", 7L, "failed", 3L));
        refused.finished("completed_with_errors");

        assertThat(metrics.scrape()).contains(
                "# HELP connectors_jobs_finished_total Sync jobs ended, by connector, job type and final status",
                "# TYPE connectors_jobs_finished_total counter",
                "connectors_jobs_finished_total{connector=\"docs\",status=\"completed\",type=\"full\"} 1.0",
                "connectors_jobs_finished_total{connector=\"docs\",status=\"completed_with_errors\",type=\"full\"} 1.0",
                "# HELP connectors_documents_total Documents processed by syncs, by outcome",
                "connectors_documents_total{connector=\"docs\",outcome=\"failed\"} 3.0");
    }

    @Test
    void aJobEndedOnAnotherWorkersBehalfIsCountedWithoutEverRunningHere() {
        JobMetrics here = metrics.jobStarted("docs", "full");
        metrics.jobEnded("wiki", "full", "error");

        assertThat(registry.get("connectors.jobs.running").gauge().value()).isEqualTo(1);
        assertThat(registry.get("connectors.jobs.finished").tags("connector", "wiki", "type", "full", "status",
                "error").counter().count()).isEqualTo(1);
        here.finished("completed");
        assertThat(registry.get("connectors.jobs.running").gauge().value()).isZero();
    }

    @Test
    void jobCountsByStatusFollowTheLatestReport() {
        metrics.jobCountsByStatus(Map.of("pending", 1L, "completed", 3L));
        metrics.jobCountsByStatus(Map.of("completed", 4L, "error", 1L));

        assertThat(jobs("pending")).isZero();
        assertThat(jobs("completed")).isEqualTo(4);
        assertThat(jobs("error")).isEqualTo(1);
        assertThat(metrics.scrape()).contains("connectors_jobs{status=\"completed\"} 4.0");
    }

    @Test
    void jobStatusesAreBounded() {
        for (int i = 0; i < DaemonMetrics.MAX_STATUSES + 10; i++) {
            metrics.jobCountsByStatus(Map.of("status" + i, 1L));
        }
        assertThat(registry.find("connectors.jobs").gauges()).hasSize(DaemonMetrics.MAX_STATUSES);
    }

    @Test
    void bulkListenerFeedsLatencyRetriesThrottlesAndBytesInFlight() {
        BulkSink.Listener listener = metrics.bulkListener();

        listener.onQueued(1000);
        listener.onRequest(Duration.ofMillis(120), 10, true);
        listener.onRequest(Duration.ofMillis(30), 10, false);
        listener.onThrottled(4);
        listener.onRetry(4);
        listener.onResolved(600);

        assertThat(registry.get("connectors.bulk.latency").tag("outcome", "success").timer().count()).isEqualTo(1);
        assertThat(registry.get("connectors.bulk.latency").tag("outcome", "success").timer()
                .totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(120);
        assertThat(registry.get("connectors.bulk.latency").tag("outcome", "error").timer().count()).isEqualTo(1);
        assertThat(registry.get("connectors.bulk.throttled").counter().count()).isEqualTo(4);
        assertThat(registry.get("connectors.bulk.retries").counter().count()).isEqualTo(4);
        assertThat(registry.get("connectors.bulk.queue.bytes").gauge().value()).isEqualTo(400);
        assertThat(metrics.scrape())
                .contains("connectors_bulk_latency_seconds_sum{outcome=\"success\"} 0.12")
                .contains("connectors_bulk_queue_bytes 400.0")
                .doesNotContain("connectors_bulk_latency_seconds_bucket");
    }

    @Test
    void scrapeHasTheJvmAndProcessMetrics() {
        assertThat(metrics.scrape()).contains("jvm_memory_used_bytes", "jvm_threads_live_threads",
                "jvm_gc_max_data_size_bytes", "system_cpu_count", "process_uptime_seconds",
                "connectors_bulk_retries_total 0.0", "connectors_jobs_running 0.0");
    }

    private double documents(String connector, String outcome) {
        return registry.get("connectors.documents").tags("connector", connector, "outcome", outcome).counter().count();
    }

    private double jobs(String status) {
        return registry.get("connectors.jobs").tag("status", status).gauge().value();
    }

    @Test
    void alertingMetricsOfASuccessAFailureAndASkip() {
        java.time.Clock at = java.time.Clock.fixed(java.time.Instant.ofEpochSecond(1_800_000_000L), java.time.ZoneOffset.UTC);
        try (DaemonMetrics m = new DaemonMetrics(at)) {
            m.jobStarted("docs", "full").finished("completed");
            m.jobStarted("docs", "incremental").finished("error");
            m.jobStarted("docs", "full").finished("skipped");
            m.indexDocuments("docs", 1520);
            m.indexDocuments("docs", -1);
            m.skippedTick("docs", "unchanged");
            m.skippedTick("docs", "queued");
            m.skippedTick("docs", "unchanged");

            String text = m.scrape();
            assertThat(text).contains(
                    "connectors_last_success_timestamp_seconds{connector=\"docs\",job_type=\"full\"} 1.8E9",
                    "connectors_sync_duration_seconds_count{connector=\"docs\",job_type=\"full\",status=\"completed\"} 1",
                    "connectors_sync_duration_seconds_count{connector=\"docs\",job_type=\"incremental\",status=\"error\"} 1",
                    "connectors_index_documents{connector=\"docs\"} 1520.0",
                    "connectors_skipped_ticks_total{connector=\"docs\",reason=\"unchanged\"} 2.0",
                    "connectors_skipped_ticks_total{connector=\"docs\",reason=\"queued\"} 1.0");
            assertThat(text).doesNotContain("connectors_last_success_timestamp_seconds{connector=\"docs\",job_type=\"incremental\"}",
                    "status=\"skipped\"}");
        }
    }
}
