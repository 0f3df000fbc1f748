package io.connectors.runtime.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The job and connector codecs read what the previous version stored (the documents below were written by it, before
 * the records were typed), write it back field for field, keep fields they do not know, and name the field of a
 * record they cannot read.
 */
class RecordCodecTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A job ended by the previous version, as Elasticsearch returns it (numbers as Jackson reads them). */
    private static final String OLD_JOB = """
            {"job_id":"shop-full-20261201T000000Z","connector_id":"shop","job_type":"full","trigger":"scheduled",
             "status":"completed_with_errors","scheduled_for":"2026-12-01T00:00:00Z",
             "created_at":"2026-12-01T00:00:00.012Z","attempt":2,"counts":{"seen":3000,"indexed":2970,"failed":30,
             "total_in_index":2970,"bytes":9876543210},
             "connector":{"id":"shop","type":"postgresql","index_name":"shop","configuration":{"password":"********"},
             "sync_rules":{"basic":[],"advanced":{}}},
             "worker":"vm-1-42","started_at":"2026-12-01T00:00:01.500Z","last_heartbeat_at":"2026-12-01T00:03:00Z",
             "completed_at":"2026-12-01T00:03:00Z","error":null,"notes":["resumed by vm-1-42 at 2026-12-01T00:01:00Z (attempt 2)"],
             "failed_documents":[{"id":"shop.orders/7","operation":"index","status":400,"error_type":"x","reason":"y"}]}
            """;

    private static final String OLD_CONNECTOR = """
            {"created_at":"2026-11-30T10:00:00Z","status":"connected","id":"shop","type":"postgresql","index_name":"shop",
             "pipeline":null,"configuration":{"host":"db","password":"********"},"config_fingerprint":"abc",
             "schedules":{"full":"0 0 * * * ?"},"last_seen":"2026-12-01T00:03:00Z","updated_at":"2026-12-01T00:00:00Z",
             "sync_rules":{"draft":{"basic":[],"advanced":{},"validation":{"state":"valid","messages":[]}},
                           "active":{"basic":[],"advanced":{},"activated_at":"2026-11-30T10:00:01Z"}},
             "sync_cursor":{"pos":42},"sync_cursor_saved_at":"2026-12-01T00:03:00Z","sync_cursor_job_id":"j9",
             "active_job":null,"error":null,
             "last_sync":{"full":{"job_id":"j8","status":"completed","started_at":"2026-12-01T00:00:01Z",
                                   "completed_at":"2026-12-01T00:03:00Z","counts":{"seen":3000},"error":null}}}
            """;

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(String json) throws Exception {
        return JSON.readValue(json, Map.class);
    }

    /** Both sides as JSON text, so an Integer and a Long of the same value compare equal. */
    private static Object normal(Object value) throws Exception {
        return JSON.readValue(JSON.writeValueAsString(value), Object.class);
    }

    @Test
    void aJobThePreviousVersionWroteIsReadAndWrittenBackFieldForField() throws Exception {
        Map<String, Object> stored = parse(OLD_JOB);
        JobRecord job = JobRecord.fromJson("shop-full-20261201T000000Z", stored);

        assertThat(job.type()).isEqualTo(JobType.FULL);
        assertThat(job.trigger()).isEqualTo(JobRecord.Trigger.SCHEDULED);
        assertThat(job.status()).isEqualTo(JobStatus.COMPLETED_WITH_ERRORS);
        assertThat(job.attempt()).isEqualTo(2);
        assertThat(job.count("bytes")).isEqualTo(9_876_543_210L);
        assertThat(job.startedAt()).isEqualTo(Instant.parse("2026-12-01T00:00:01.500Z"));
        assertThat(job.failedDocuments()).hasSize(1);
        assertThat(job.other()).isEmpty();

        Map<String, Object> expected = new java.util.LinkedHashMap<>(stored);
        expected.remove("error"); // a null the previous version wrote; left out now, read the same
        assertThat(normal(job.toJson())).isEqualTo(normal(expected));
        assertThat(JobRecord.fromJson(job.jobId(), job.toJson())).isEqualTo(job);
    }

    @Test
    void fieldsOfANewerVersionSurviveAnOlderDaemonsWrite() throws Exception {
        Map<String, Object> stored = parse(OLD_JOB);
        stored.put("leases", List.of(Map.of("range", "[0, 100)", "until", 57)));
        JobRecord job = JobRecord.fromJson("j", stored);

        JobRecord claimed = job.with(b -> b.worker = "older-daemon").withNote("claimed");

        assertThat(claimed.toJson()).containsEntry("leases", List.of(Map.of("range", "[0, 100)", "until", 57)))
                .containsEntry("worker", "older-daemon");
    }

    @Test
    void splitsAndTheirPositionsSurviveTheCodecAndOpenSplitsIsDerived() throws Exception {
        Map<String, Object> stored = parse(OLD_JOB);
        Map<String, Object> running = new java.util.LinkedHashMap<>(Map.of("id", "public.items#1",
                "description", "public.items id in [25000, 50000)", "split", Map.of("table", "public.items", "from", "25000",
                        "to", "50000"), "state", "running", "worker", "host-1", "heartbeat_at", "2026-12-01T00:00:05Z",
                "position", Map.of("after", List.of("31000")), "seen", 6000, "written", 5990, "reads", 2));
        Map<String, Object> done = new java.util.LinkedHashMap<>(Map.of("id", "public.items#0", "split",
                Map.of("table", "public.items", "to", "25000"), "state", "done", "seen", 25000, "written", 25000, "reads", 1));
        stored.put("splits", List.of(done, running));
        stored.put("split_cursor", Map.of("max", "2026-12-01T00:00:00Z"));

        JobRecord job = JobRecord.fromJson("j", stored);

        assertThat(job.splits()).hasSize(2);
        SplitRecord r = job.splits().get(1);
        assertThat(r.state()).isEqualTo(SplitRecord.State.RUNNING);
        assertThat(r.position()).isEqualTo(Map.of("after", List.of("31000")));
        assertThat(r.claimable(java.time.Instant.parse("2026-12-01T00:00:04Z"))).as("its heartbeat is newer").isFalse();
        assertThat(r.claimable(java.time.Instant.parse("2026-12-01T00:00:06Z"))).as("its heartbeat is stale").isTrue();
        assertThat(job.openSplits()).isEqualTo(1);
        Map<String, Object> written = job.toJson();
        assertThat(written).containsEntry("open_splits", 1L).containsEntry("split_cursor", Map.of("max", "2026-12-01T00:00:00Z"));
        assertThat(JobRecord.fromJson("j", written).splits()).isEqualTo(job.splits());
    }

    @Test
    void aSplitInAStateThisVersionDoesNotKnowMakesTheRecordUnreadableByName() throws Exception {
        Map<String, Object> stored = parse(OLD_JOB);
        stored.put("splits", List.of(Map.of("id", "s1", "state", "paused")));
        assertThatThrownBy(() -> JobRecord.fromJson("j", stored)).isInstanceOf(StateException.class)
                .hasMessageContaining("job j split s1").hasMessageContaining("state");
    }

    @Test
    void aRecordThatCannotBeReadNamesTheJobAndTheField() throws Exception {
        Map<String, Object> badAttempt = parse(OLD_JOB);
        badAttempt.put("attempt", "two");
        assertThatThrownBy(() -> JobRecord.fromJson("j1", badAttempt)).isInstanceOf(StateException.class)
                .hasMessage("job j1: field 'attempt' should be a number, but is 'two'");

        Map<String, Object> newStatus = parse(OLD_JOB);
        newStatus.put("status", "paused");
        assertThatThrownBy(() -> JobRecord.fromJson("j1", newStatus))
                .hasMessage("job j1: field 'status' should be a value this version knows, but is 'paused'");

        Map<String, Object> noType = parse(OLD_JOB);
        noType.remove("job_type");
        assertThatThrownBy(() -> JobRecord.fromJson("j1", noType))
                .hasMessage("job j1: field 'job_type' should be present, but is 'null'");

        Map<String, Object> badTime = parse(OLD_JOB);
        badTime.put("created_at", "yesterday");
        assertThatThrownBy(() -> JobRecord.fromJson("j1", badTime))
                .hasMessage("job j1: field 'created_at' should be a timestamp, but is 'yesterday'");

        Map<String, Object> badCounts = parse(OLD_JOB);
        badCounts.put("counts", List.of(1));
        assertThatThrownBy(() -> JobRecord.fromJson("j1", badCounts))
                .hasMessage("job j1: field 'counts' should be an object, but is a list");
    }

    @Test
    void aConnectorThePreviousVersionWroteIsReadAndWrittenBackFieldForField() throws Exception {
        Map<String, Object> stored = parse(OLD_CONNECTOR);
        ConnectorRecord c = ConnectorRecord.fromJson("shop", stored);

        assertThat(c.activeJob()).isNull();
        assertThat(c.lastSync().get("full").status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(ConnectorRecords.cursor(c).orElseThrow().values()).containsEntry("pos", 42);
        assertThat(ConnectorRecords.draftValidation(c)).containsEntry("state", "valid");
        assertThat(normal(c.toJson())).isEqualTo(normal(stored));

        ConnectorRecord locked = c.with(b -> b.activeJob = new ConnectorRecord.ActiveJob("j10", "vm-2",
                Instant.parse("2026-12-01T01:00:00Z")));
        assertThat(locked.toJson()).containsEntry("active_job", Map.of("job_id", "j10", "worker", "vm-2",
                "claimed_at", "2026-12-01T01:00:00Z"));
        assertThat(ConnectorRecord.fromJson("shop", locked.toJson())).isEqualTo(locked);
    }

    @Test
    void aJobsOutcomeIsWhatTheConnectorKeeps() throws Exception {
        JobRecord job = JobRecord.fromJson("j", parse(OLD_JOB));
        ConnectorRecord.JobOutcome o = ConnectorRecord.JobOutcome.of(job);
        assertThat(o.jobId()).isEqualTo("shop-full-20261201T000000Z");
        assertThat(o.status()).isEqualTo(JobStatus.COMPLETED_WITH_ERRORS);
        assertThat(o.counts()).containsEntry("failed", 30L);
    }

    @Test
    void theServingDaemonIsKeptAndOnlyALiveOneWithAnotherConfigurationOwnsTheRecord() throws Exception {
        Instant seen = Instant.parse("2026-12-01T01:00:00Z");
        ConnectorRecord served = ConnectorRecord.fromJson("shop", parse(OLD_CONNECTOR))
                .with(b -> b.servedBy = new ConnectorRecord.ServedBy("vm-1", "f1", "/etc/connectors/config.yml", 42, seen));
        assertThat(served.toJson()).containsEntry("served_by", Map.of("worker", "vm-1", "fingerprint", "f1",
                "config", "/etc/connectors/config.yml", "pid", 42L, "seen_at", "2026-12-01T01:00:00Z"));
        assertThat(ConnectorRecord.fromJson("shop", parse(JSON.writeValueAsString(served.toJson())))).isEqualTo(served);

        Instant soon = seen.plus(ConnectorRecords.SERVED_WITHIN);
        assertThat(ConnectorRecords.servedWithOtherConfiguration(served, "f2", soon)).map(ConnectorRecord.ServedBy::worker)
                .hasValue("vm-1");
        assertThat(ConnectorRecords.servedWithOtherConfiguration(served, "f1", soon)).as("the same configuration").isEmpty();
        assertThat(ConnectorRecords.servedWithOtherConfiguration(served, "f2", soon.plusSeconds(1)))
                .as("the daemon is gone").isEmpty();
        assertThat(ConnectorRecords.servedBy(ConnectorRecord.fromJson("shop", parse(OLD_CONNECTOR)), seen))
                .as("registered by one-off runs only").isEmpty();
    }
}
