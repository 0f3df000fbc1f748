package io.connectors.functional.chaos;

import io.connectors.functional.SyncOutcome;
import io.connectors.functional.Verification;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code oversized-document}: three rows over {@code bulk.max_document_size} (1 MiB here): dropped, counted, listed
 * with their ids in the job record; the rest is indexed. Once they are shrunk, the next sync indexes them.
 */
final class OversizedDocument implements ChaosScenario {
    static final int ROWS = 500;

    @Override
    public String name() {
        return "oversized-document";
    }

    @Override
    public String fault() {
        return "3 rows of 1.2 MB, over bulk.max_document_size=1MiB, among 500";
    }

    @Override
    public ChaosResult run(ChaosContext context) throws Exception {
        ChaosResult.Builder result = ChaosResult.builder();
        PgTables table = new PgTables(List.of("blobs"));
        table.reset();
        PgTables.sql("CREATE TABLE chaos.blobs (key bigint PRIMARY KEY, body text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());"
                + " INSERT INTO chaos.blobs SELECT i, CASE WHEN i % 100 = 0 AND i < 400 THEN repeat('x', 1200000)"
                + " ELSE 'blob ' || i END FROM generate_series(1, " + ROWS + ") AS i");
        try (SourceChaos chaos = SourceChaos.open(context, name())) {
            Path config = chaos.config("config", "postgresql", table.connectorConfiguration(),
                    Map.of("bulk", Map.of("max_document_size", "1MiB")));
            SyncOutcome first = chaos.sync(config);
            result.checkEquals("the sync completes, 3 dropped, the rest indexed", List.of("completed", 3L, 497L, 0L),
                    List.of(first.status(), first.count("dropped"), first.count("indexed"), first.count("failed")));
            Map<String, Object> job = chaos.jobs(config).get(0);
            List<?> dropped = job.get("dropped_documents") instanceof List<?> l ? l : List.of();
            List<Object> ids = dropped.stream().map(d -> ((Map<?, ?>) d).get("id")).map(Object.class::cast).toList();
            result.checkEquals("the job record lists them by id", List.of("chaos.blobs/100", "chaos.blobs/200",
                    "chaos.blobs/300"), ids);
            result.check("with the reason", !dropped.isEmpty() && String.valueOf(((Map<?, ?>) dropped.get(0)).get("reason"))
                    .contains("more than bulk.max_document_size=1048576"), dropped.isEmpty() ? "" : dropped.get(0).toString());
            result.check("the daemon log names them", !chaos.logLines("Document dropped: chaos.blobs/100").isEmpty(), "");

            PgTables.sql("UPDATE chaos.blobs SET body = 'blob ' || key || ' (shrunk)' WHERE key % 100 = 0");
            SyncOutcome second = chaos.sync(config);
            result.checkEquals("once shrunk, the next sync indexes them", List.of("completed", 3L, 0L),
                    List.of(second.status(), second.count("indexed"), second.count("dropped")));
            Verification v = chaos.verify(table);
            result.check("index equal to the source", v.equal(), v.summary());
            return result.outcome("3 oversized documents dropped, counted and listed by id in the job record; the sync"
                    + " completed; indexed once shrunk").documentsLost(v.documentsLost()).build();
        }
    }
}
