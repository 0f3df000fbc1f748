package io.connectors.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.runtime.state.JobRecord;
import io.connectors.runtime.state.JobRecords;
import io.connectors.runtime.state.JobStatus;
import io.connectors.runtime.state.JobType;
import io.connectors.runtime.sync.SyncStats;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobSamplesTest {

    private static JobRecord newJob() {
        return JobRecords.newJob("j1", Map.of("id", "shop"), JobType.FULL, JobRecord.Trigger.ON_DEMAND,
                JobStatus.IN_PROGRESS, null, null, Instant.parse("2026-12-05T00:00:00Z"));
    }

    @Test
    void aJobRecordGetsTheSamplesOfFailedAndDroppedDocuments() {
        SyncStats stats = new SyncStats();
        stats.sampleFailed(new SyncStats.DocumentProblem("shop.orders/7", "index", 400, "document_parsing_exception",
                "[1:42] failed to parse field [v] of type [long] in document with id 'shop.orders/7'."));
        stats.sampleDropped(new SyncStats.DocumentProblem("big.bin", "index", 0, "too_large",
                "its source is 11 bytes, more than bulk.max_document_size=10"));
        Map<String, Object> job = newJob().with(b -> JobExecution.putSamples(b, stats)).toJson();

        assertThat(job.get("failed_documents")).isEqualTo(List.of(Map.of("id", "shop.orders/7", "operation", "index",
                "status", 400, "error_type", "document_parsing_exception",
                "reason", "[1:42] failed to parse field [v] of type [long] in document with id 'shop.orders/7'.")));
        assertThat(job.get("dropped_documents")).isEqualTo(List.of(Map.of("id", "big.bin", "operation", "index",
                "error_type", "too_large", "reason", "its source is 11 bytes, more than bulk.max_document_size=10")));
    }

    @Test
    void aJobWithoutProblemsGetsNoSampleFields() {
        Map<String, Object> job = newJob().with(b -> JobExecution.putSamples(b, new SyncStats())).toJson();

        assertThat(job).doesNotContainKeys("failed_documents", "dropped_documents");
    }

    @Test
    void samplesAreBoundedPerKind() {
        SyncStats stats = new SyncStats();
        for (int i = 0; i < 3 * SyncStats.MAX_SAMPLES; i++) {
            stats.sampleFailed(new SyncStats.DocumentProblem("f" + i, "index", 400, "t", "r"));
            stats.sampleDropped(new SyncStats.DocumentProblem("d" + i, "index", 0, "too_large", "r"));
        }

        assertThat(stats.failedSamples()).hasSize(SyncStats.MAX_SAMPLES).first()
                .extracting(SyncStats.DocumentProblem::id).isEqualTo("f0");
        assertThat(stats.droppedSamples()).hasSize(SyncStats.MAX_SAMPLES);
    }
}
