package io.connectors.functional.chaos;

import co.elastic.clients.elasticsearch.indices.CreateIndexRequest;
import io.connectors.functional.ElasticsearchSession;
import io.connectors.functional.SyncOutcome;
import io.connectors.functional.Verification;
import io.connectors.runtime.sync.DocumentSerializer;
import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code rejected-document}: a field {@code v} that is a number in most rows and an object in some, in an index whose
 * mapping says {@code long} (created first, as an index template would): Elasticsearch refuses those documents. The
 * sync goes on, counts them, ends {@code completed_with_errors} (not {@code completed}), and the job record lists them
 * with id and reason ({@code jobs view}). A second sync with
 * more failures than {@code bulk.error_breaker.max_errors} trips the breaker and fails cleanly; once the rows are
 * fixed, the next sync leaves the index equal to the source.
 */
final class RejectedDocument implements ChaosScenario {
    static final int ROWS = 3_000;
    static final int MAX_ERRORS = 100;

    @Override
    public String name() {
        return "rejected-document";
    }

    @Override
    public String fault() {
        return "30 of 3,000 rows have an object where the index maps a long; then 300 (over max_errors=100)";
    }

    @Override
    public ChaosResult run(ChaosContext context) throws Exception {
        ChaosResult.Builder result = ChaosResult.builder();
        PgTables table = new PgTables(List.of("readings"));
        table.reset();
        PgTables.sql("CREATE TABLE chaos.readings (key bigint PRIMARY KEY, body text NOT NULL, v jsonb, updated_at timestamptz NOT NULL DEFAULT now());"
                + " INSERT INTO chaos.readings SELECT i, 'reading ' || i, CASE WHEN i % 100 = 0"
                + " THEN jsonb_build_object('x', i) ELSE to_jsonb(i) END FROM generate_series(1, " + ROWS + ") AS i");
        try (SourceChaos chaos = SourceChaos.open(context, name())) {
            try (ElasticsearchSession session = ElasticsearchSession.open(chaos.es)) {
                String mapping = "{\"mappings\": {\"dynamic\": true, \"properties\": {\"" + DocumentSerializer.ID_FIELD
                        + "\": {\"type\": \"keyword\"}, \"" + DocumentSerializer.VERSION_FIELD + "\": {\"type\": \"keyword\","
                        + " \"index\": false, \"doc_values\": true}, \"v\": {\"type\": \"long\"}}}}";
                session.client().indices().create(CreateIndexRequest.of(b -> b.index(chaos.index)
                        .withJson(new StringReader(mapping))));
            }
            Path config = chaos.config("config", "postgresql", table.connectorConfiguration(), Map.of());
            SyncOutcome first = chaos.sync(config);
            result.checkEquals("first sync completes with errors, the 30 refused documents counted failed",
                    List.of("completed_with_errors", (long) ROWS - 30, 30L), List.of(first.status(), first.count("indexed"),
                            first.count("failed")));
            Map<String, Object> job = chaos.jobs(config).get(0);
            result.checkEquals("its job record says completed_with_errors", "completed_with_errors", job.get("status"));
            List<?> samples = job.get("failed_documents") instanceof List<?> l ? l : List.of();
            Map<?, ?> sample = samples.isEmpty() ? Map.of() : (Map<?, ?>) samples.get(0);
            result.checkEquals("the job record lists 20 failed documents (of 30)", 20, samples.size());
            // Batches resolve concurrently: the samples are refused rows, not necessarily the first 20 by key.
            boolean allRefused = samples.stream().allMatch(x -> String.valueOf(((Map<?, ?>) x).get("id"))
                    .matches("chaos\\.readings/[1-9][0-9]?00"));
            result.check("each with id, operation and reason", allRefused && "index".equals(sample.get("operation"))
                            && String.valueOf(sample.get("reason")).contains("[v]")
                            && String.valueOf(sample.get("error_type")).endsWith("parsing_exception"), sample.toString());
            String view = chaos.cli(config, "jobs", "view", String.valueOf(job.get("job_id")));
            result.check("`connectors jobs view` shows them", view.contains("failed_documents")
                    && view.contains("\"" + sample.get("id") + "\""), "job " + job.get("job_id"));
            result.check("no field value in the reasons", !view.contains("Preview of field") && !view.contains("{x="),
                    "");

            // 270 more rows turn into objects: with the 30 still refused, 300 failures, over max_errors.
            PgTables.sql("UPDATE chaos.readings SET v = jsonb_build_object('x', key), body = body || ' (object)'"
                    + " WHERE key % 10 = 0 AND key % 100 <> 0");
            Path strict = chaos.config("config-strict", "postgresql", table.connectorConfiguration(),
                    Map.of("bulk", Map.of("error_breaker", Map.of("max_errors", MAX_ERRORS))));
            SyncOutcome second = chaos.sync(strict);
            Instant tripped = Instant.now();
            result.check("the second sync trips the breaker and fails cleanly", "error".equals(second.status())
                    && second.error() != null && second.error().contains("Error breaker tripped")
                    && second.error().contains("bulk.error_breaker.max_errors=" + MAX_ERRORS), second.status() + ": "
                    + second.error());
            result.check("it stopped early: at most about max_errors failed", second.count("failed") > MAX_ERRORS
                    && second.count("failed") <= MAX_ERRORS + 1000, "failed " + second.count("failed"));
            Map<String, Object> errorJob = chaos.jobs(strict).get(0);
            result.check("its job record says so", "error".equals(errorJob.get("status"))
                    && String.valueOf(errorJob.get("error")).contains("Error breaker tripped")
                    && errorJob.get("failed_documents") instanceof List<?>, errorJob.get("status") + ": " + errorJob.get("error"));

            PgTables.sql("UPDATE chaos.readings SET v = to_jsonb(key), body = body || ' (fixed)' WHERE key % 10 = 0");
            SyncOutcome third = chaos.sync(config);
            Duration recovery = Duration.between(tripped, Instant.now());
            result.checkEquals("after the rows are fixed the next sync completes without failures",
                    List.of("completed", 0L), List.of(third.status(), third.count("failed")));
            Verification v = chaos.verify(table);
            result.check("index equal to the source", v.equal(), v.summary());
            return result.outcome("30 refused documents counted and listed with id and reason, the sync"
                            + " completed_with_errors; 300"
                            + " tripped the breaker (job error: " + FaultKit.abbreviate(second.error(), 90) + "); fixed rows synced")
                    .documentsLost(v.documentsLost()).recovery(recovery).build();
        }
    }
}
