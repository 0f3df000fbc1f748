package io.connectors.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.runtime.state.JobRecord;
import io.connectors.runtime.state.StateStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobsCommandTest {

    /** A stored job document with the given fields over a minimal one. */
    private static JobRecord job(Map<String, Object> fields) {
        Map<String, Object> json = new java.util.LinkedHashMap<>(Map.of("job_type", "full", "status", "completed"));
        json.putAll(fields);
        return JobRecord.fromJson("j1", json);
    }

    @Test
    void documentProblemsListsTheSamplesWithTheirCounts() {
        JobRecord job = job(Map.of(
                "counts", Map.of("failed", 31, "dropped", 1),
                "failed_documents", List.of(Map.of("id", "chaos.readings/100", "operation", "index", "status", 400,
                        "error_type", "document_parsing_exception", "reason", "failed to parse field [v] of type [long]")),
                "dropped_documents", List.of(Map.of("id", "chaos.blobs/3", "operation", "index",
                        "error_type", "too_large", "reason", "its source is 2000100 bytes"))));

        String text = JobsCommand.documentProblems(job);

        assertThat(text.lines().toList()).containsExactly(
                "failed documents (first 1 of 31):",
                "  index chaos.readings/100: document_parsing_exception: failed to parse field [v] of type [long]",
                "dropped documents (first 1 of 1):",
                "  index chaos.blobs/3: too_large: its source is 2000100 bytes");
    }

    @Test
    void theSplitTableShowsEachSplitsRangeStateWorkerPositionAndCounts() {
        JobRecord job = job(Map.of("status", "in_progress", "splits", List.of(
                Map.of("id", "public.items#0", "description", "public.items id in (-inf, 25000)", "state", "done",
                        "worker", "host-1", "position", Map.of("after", List.of("24999")), "seen", 25000, "written", 25000,
                        "reads", 1),
                Map.of("id", "public.items#1", "description", "public.items id in [25000, +inf)", "state", "pending",
                        "seen", 0, "written", 0, "reads", 0))));

        List<String> lines = JobsCommand.splitTable(job).lines().toList();

        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).startsWith("SPLIT").contains("STATE", "WORKER", "SEEN", "WRITTEN", "RANGE", "POSITION");
        assertThat(lines.get(1)).contains("public.items#0", "done", "host-1", "25000", "(-inf, 25000)", "{after=[24999]}");
        assertThat(lines.get(2)).contains("public.items#1", "pending", " - ", "[25000, +inf)");
        assertThat(lines.get(3)).isEqualTo("2 splits, 1 open; 25000 documents covered, 25000 written");
        assertThat(JobsCommand.splitTable(job(Map.of()))).contains("has no splits");
    }

    @Test
    void aJobWithoutProblemsPrintsNothing() {
        assertThat(JobsCommand.documentProblems(job(Map.of("counts", Map.of("failed", 0))))).isEmpty();
        assertThat(JobsCommand.documentProblems(job(Map.of("failed_documents", List.of())))).isEmpty();
    }

    @Test
    void exitCodesByFinalStatus() {
        assertThat(JobsCommand.exitCode("completed")).isZero();
        assertThat(JobsCommand.exitCode("skipped")).isZero();
        assertThat(JobsCommand.exitCode("completed_with_errors")).isEqualTo(3);
        for (String failed : List.of("error", "canceled", "suspended")) {
            assertThat(JobsCommand.exitCode(failed)).as(failed).isEqualTo(1);
        }
    }

    @Test
    void refusedDocumentsAreCountedAndPointToTheJobRecord() {
        assertThat(JobsCommand.refused(30L, "db-full-1"))
                .isEqualTo("30 documents were refused by Elasticsearch and are not in the index; see which and why: "
                        + "connectors jobs view db-full-1");
        assertThat(JobsCommand.refused(1, "db-full-2")).startsWith("1 document was refused by Elasticsearch and is not");
    }

    @Test
    void theStatusColumnHoldsTheLongestStatus() {
        StateStore.Versioned<JobRecord> job = new StateStore.Versioned<>("db-full-1", JobRecord.fromJson("db-full-1",
                Map.of("connector_id", "db", "job_type", "full", "trigger", "on_demand", "status", "completed_with_errors",
                        "created_at", "2026-11-21T07:32:50.123Z", "counts", Map.of("indexed", 7, "deleted", 0))), 0, 1);

        List<String> lines = JobsCommand.table(List.of(job)).lines().toList();

        assertThat(lines.get(1).indexOf(" 2026-11-21T07:32:50Z")).isEqualTo(lines.get(0).indexOf(" CREATED"));
    }

    @Test
    void jobsListSaysHowLongEachJobRanOrHasBeenRunning() {
        java.time.Instant now = java.time.Instant.parse("2026-11-21T08:00:00Z");
        StateStore.Versioned<JobRecord> done = new StateStore.Versioned<>("db-full-1", JobRecord.fromJson("db-full-1",
                Map.of("connector_id", "db", "job_type", "full", "trigger", "on_demand", "status", "completed",
                        "created_at", "2026-11-21T07:32:50Z", "started_at", "2026-11-21T07:32:50Z",
                        "completed_at", "2026-11-21T07:37:02Z", "counts", Map.of("indexed", 7))), 0, 1);
        StateStore.Versioned<JobRecord> running = new StateStore.Versioned<>("db-full-2", JobRecord.fromJson("db-full-2",
                Map.of("connector_id", "db", "job_type", "full", "trigger", "on_demand", "status", "in_progress",
                        "created_at", "2026-11-21T07:58:00Z", "started_at", "2026-11-21T07:59:57.700Z")), 0, 1);
        StateStore.Versioned<JobRecord> queued = new StateStore.Versioned<>("db-full-3", JobRecord.fromJson("db-full-3",
                Map.of("connector_id", "db", "job_type", "full", "trigger", "on_demand", "status", "pending",
                        "created_at", "2026-11-21T07:59:00Z")), 0, 1);

        List<String> lines = JobsCommand.table(List.of(done, running, queued), now).lines().toList();

        int column = lines.get(0).indexOf("DURATION") + "DURATION".length();
        assertThat(lines.get(1).substring(0, column)).endsWith(" 4m12s");
        assertThat(lines.get(2).substring(0, column)).endsWith(" 2.3s");
        assertThat(lines.get(3).substring(0, column)).endsWith("         ");
        assertThat(io.connectors.runtime.util.Human.elapsed(java.time.Duration.ofMinutes(62))).isEqualTo("1h02m");
        assertThat(io.connectors.runtime.util.Human.elapsed(java.time.Duration.ofMillis(850))).isEqualTo("850ms");
    }
}
