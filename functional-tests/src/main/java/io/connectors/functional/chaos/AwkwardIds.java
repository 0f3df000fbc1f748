package io.connectors.functional.chaos;

import io.connectors.functional.SyncOutcome;
import io.connectors.functional.Verification;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code awkward-ids}: a PostgreSQL text key holding slashes, spaces, percent signs and commas, unicode in and outside
 * the Basic Multilingual Plane, and 1 KB keys (over Elasticsearch's 512-byte {@code _id} limit, so the runtime hashes
 * them; two share their first 600 bytes): they index, re-sync as unchanged, update and delete exactly.
 */
final class AwkwardIds implements ChaosScenario {
    static final int PLAIN = 2_000;
    private static final List<String> AWKWARD = List.of("a/b/c", "/leading/slash/", "with space", "  two  spaces ",
            "100%/a,b", "%2F not decoded", "café 東京 naïve", "𝄞 music 🎉", "ｆｕｌｌ-width", "quote'd \"and\" back\\slash",
            "x".repeat(1024), "é".repeat(600), "long-prefix-".repeat(50) + "A" + "y".repeat(400),
            "long-prefix-".repeat(50) + "B" + "y".repeat(400));

    @Override
    public String name() {
        return "awkward-ids";
    }

    @Override
    public String fault() {
        return "PostgreSQL text keys with slashes, spaces, %, commas, unicode and 1 KB length (over the 512-byte _id limit)";
    }

    @Override
    public ChaosResult run(ChaosContext context) throws Exception {
        ChaosResult.Builder result = ChaosResult.builder();
        PgTables table = new PgTables(List.of("pages"));
        table.reset();
        PgTables.sql("CREATE TABLE chaos.pages (key text PRIMARY KEY, body text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());"
                + " INSERT INTO chaos.pages SELECT 'page-' || lpad(i::text, 5, '0'), 'body of page ' || i"
                + " FROM generate_series(1, " + PLAIN + ") AS i");
        StringBuilder insert = new StringBuilder("INSERT INTO chaos.pages VALUES ");
        for (int i = 0; i < AWKWARD.size(); i++) {
            insert.append(i == 0 ? "" : ", ").append("(").append(literal(AWKWARD.get(i))).append(", 'awkward ").append(i)
                    .append("')");
        }
        PgTables.sql(insert.toString());
        int total = PLAIN + AWKWARD.size();
        try (SourceChaos chaos = SourceChaos.open(context, name())) {
            Path config = chaos.config("config", "postgresql", table.connectorConfiguration(), Map.of());
            SyncOutcome first = chaos.sync(config);
            result.checkEquals("first sync indexes every row", List.of("completed", (long) total, 0L),
                    List.of(first.status(), first.count("indexed"), first.count("failed")));
            Verification v1 = chaos.verify(table);
            result.check("index equal to the source after the first sync", v1.equal(), v1.summary());

            SyncOutcome second = chaos.sync(config);
            result.checkEquals("a second sync finds every row unchanged", List.of("completed", (long) total, 0L, 0L),
                    List.of(second.status(), second.count("unchanged"), second.count("indexed"), second.count("updated")));

            // Delete five awkward rows (both hashed 1 KB keys among them), change two.
            PgTables.sql("DELETE FROM chaos.pages WHERE key IN (" + literal(AWKWARD.get(0)) + ", " + literal(AWKWARD.get(2))
                    + ", " + literal(AWKWARD.get(7)) + ", " + literal(AWKWARD.get(10)) + ", " + literal(AWKWARD.get(12))
                    + "); UPDATE chaos.pages SET body = body || ' (changed)' WHERE key IN (" + literal(AWKWARD.get(4))
                    + ", " + literal(AWKWARD.get(13)) + ")");
            SyncOutcome third = chaos.sync(config);
            result.checkEquals("after 5 deletes and 2 updates: deleted, updated, unchanged",
                    List.of("completed", 5L, 2L, (long) total - 7, 0L),
                    List.of(third.status(), third.count("deleted"), third.count("updated"), third.count("unchanged"),
                            third.count("indexed")));
            Verification v3 = chaos.verify(table);
            result.check("index equal to the source after the deletes", v3.equal(), v3.summary());
            return result.outcome("awkward ids indexed (" + total + "), re-synced as unchanged, 5 deleted and 2 updated"
                            + " exactly")
                    .documentsLost(v1.documentsLost() + v3.documentsLost()).build();
        }
    }

    static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
