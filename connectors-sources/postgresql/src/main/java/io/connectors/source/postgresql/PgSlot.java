package io.connectors.source.postgresql;

import io.connectors.spi.SourceException;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.config.FieldError;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The real-time mode's state on the server, in SQL: the connector's publication and logical replication slot, what
 * following needs of the server and of the tables, and the slot's health.
 *
 * <p>Statements that change something run on a connection that is not read-only (the source's sessions are) and that
 * is closed after, never pooled. A slot in use by a replication connection that is still ending ({@code 55006}) is
 * waited for, briefly: closing a stream ends its server process a moment later.
 */
final class PgSlot {
    /** How long a slot still held by an ending replication connection is waited for. */
    static final Duration ACTIVE_WAIT = Duration.ofSeconds(30);

    private static final String STATE_SQL = """
            SELECT s.plugin, s.database, s.active, s.active_pid::text AS pid,
                   s.restart_lsn::text AS restart_lsn, s.confirmed_flush_lsn::text AS confirmed,
                   to_jsonb(s) ->> 'wal_status' AS wal_status, to_jsonb(s) ->> 'safe_wal_size' AS safe_wal_size,
                   to_jsonb(s) ->> 'invalidation_reason' AS invalidation_reason,
                   to_jsonb(s) ->> 'conflicting' AS conflicting,
                   pg_wal_lsn_diff(pg_current_wal_lsn(), s.restart_lsn)::bigint AS retained,
                   pg_wal_lsn_diff(pg_current_wal_lsn(), s.confirmed_flush_lsn)::bigint AS lag
            FROM pg_replication_slots s WHERE s.slot_name = $1""";

    /** A table's columns, in order, with what pgoutput says of them, and whether they are generated (it sends those not). */
    private static final String SIGNATURE_SQL = """
            SELECT a.attname AS name, a.atttypid::int AS type, a.atttypmod AS modifier,
                   format_type(a.atttypid, a.atttypmod) AS declared,
                   coalesce(to_jsonb(a) ->> 'attgenerated', '') <> '' AS generated
            FROM pg_attribute a
            WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum""";

    /**
     * A slot as {@code pg_replication_slots} shows it.
     *
     * @param pid           the server process streaming it, when active
     * @param safeWalSize   WAL that may still be written before the server invalidates it ({@code max_slot_wal_keep_size});
     *                      null when unlimited
     * @param retainedBytes WAL the server keeps for it ({@code current - restart_lsn}); -1 when unknown
     * @param lagBytes      WAL written since its confirmed position ({@code current - confirmed_flush_lsn}); -1 when unknown
     * @param invalidation  why the server invalidated it, when it did (its WAL was removed: {@code max_slot_wal_keep_size})
     */
    record State(String plugin, String database, boolean active, String pid, String restartLsn, String confirmedLsn,
                 String walStatus, String safeWalSize, long retainedBytes, long lagBytes, Optional<String> invalidation) {

        /** Whether its changes can still be streamed. */
        boolean usable() {
            return invalidation.isEmpty();
        }

        long confirmed() {
            return confirmedLsn == null ? 0 : PgOutput.lsn(confirmedLsn);
        }
    }

    private final PgConfig config;
    private final String slot;
    private final String publication;
    private final boolean ownPublication;

    PgSlot(PgConfig config, String connectorId) {
        this.config = config;
        this.slot = PgReplication.slotName(connectorId);
        this.ownPublication = config.publication().isEmpty();
        this.publication = config.publication().orElse(PgReplication.publicationName(connectorId));
    }

    String slot() {
        return slot;
    }

    String publication() {
        return publication;
    }

    boolean ownPublication() {
        return ownPublication;
    }

    // ----------------------------------------------------------------------------------------- reading the state

    /** The slot's state, empty when there is no such slot. */
    Mono<Optional<State>> state(Connection c) {
        return rows(c, STATE_SQL, List.of(slot), row -> {
            String reason = row.get("invalidation_reason");
            String walStatus = row.get("wal_status");
            if (reason == null && "lost".equals(walStatus)) {
                reason = "wal_removed";
            }
            if (reason == null && "true".equals(row.get("conflicting"))) {
                reason = "conflicting with recovery";
            }
            if (reason == null && row.get("restart_lsn") == null) {
                reason = "no restart position";
            }
            return new State(row.get("plugin"), row.get("database"), "true".equals(row.get("active")), row.get("pid"),
                    row.get("restart_lsn"), row.get("confirmed"), walStatus, row.get("safe_wal_size"),
                    number(row.get("retained")), number(row.get("lag")), Optional.ofNullable(reason));
        }).next().map(Optional::of).defaultIfEmpty(Optional.empty());
    }

    /** The server's {@code wal_level}; real time needs {@code logical}. */
    static Mono<String> walLevel(Connection c) {
        return rows(c, "SELECT current_setting('wal_level') AS level", List.of(), row -> row.get("level")).next();
    }

    /**
     * What keeps the configured tables from being followed: views, materialized views and foreign tables (no changes
     * of their own in the WAL), tables whose replica identity does not carry the key (PostgreSQL would then refuse the
     * application's updates and deletes once the table is published, or send deletes without a key).
     */
    static Mono<List<FieldError>> followProblems(Connection c, List<PgTarget> targets) {
        return Flux.fromIterable(targets).filter(t -> t.relation().isPresent()).concatMap(t -> {
            return rows(c, "SELECT c.relkind::text AS kind, c.relreplident::text AS identity,"
                    + " EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS pk"
                    + " FROM pg_class c WHERE c.oid = $1::regclass", List.of(t.relation().get()), row -> {
                        String kind = row.get("kind");
                        String identity = row.get("identity");
                        boolean pk = "true".equals(row.get("pk"));
                        if (!"r".equals(kind) && !"p".equals(kind)) {
                            return List.of(PgConfig.tableError("table " + t.name() + " is a " + kindName(kind)
                                    + ": real-time mode follows tables only (its rows have no changes of their own in"
                                    + " the WAL); leave it out of `tables`, or set realtime: false"));
                        }
                        boolean keyed = "f".equals(identity) || "i".equals(identity) || ("d".equals(identity) && pk
                                && t.uniqueKey());
                        if (!keyed) {
                            return List.of(PgConfig.tableError("table " + t.name() + " has no primary key to identify"
                                    + " its changed rows: real-time mode needs its replica identity to carry the key"
                                    + " (ALTER TABLE " + t.relation().get() + " REPLICA IDENTITY FULL, or USING INDEX"
                                    + " a unique index on " + String.join(", ", t.key()) + ")"));
                        }
                        return List.<FieldError>of();
                    }).next().defaultIfEmpty(List.of());
        }).collectList().map(lists -> lists.stream().flatMap(List::stream).toList());
    }

    private static String kindName(String kind) {
        return switch (kind) {
            case "v" -> "view";
            case "m" -> "materialized view";
            case "f" -> "foreign table";
            default -> "relation of kind '" + kind + "'";
        };
    }

    /**
     * Each target's columns as pgoutput describes them (name, type oid, modifier; generated columns left out), by
     * relation. The catalog is read now, the targets were resolved when the job started (and the index mapping made
     * from them): a table whose columns changed in between is a {@link CursorExpiredException}, as a relation message
     * that differs would be later.
     */
    static Mono<Map<String, List<PgOutput.Column>>> signatures(Connection c, List<PgTarget> targets) {
        return Flux.fromIterable(targets).filter(t -> t.relation().isPresent())
                .concatMap(t -> rows(c, SIGNATURE_SQL, List.of(t.relation().get()), row -> row).collectList().flatMap(rows -> {
                    List<String> now = rows.stream().map(r -> r.get("name") + " " + r.get("declared")).toList();
                    List<String> then = t.columns().stream().map(col -> col.name() + " " + col.type()).toList();
                    if (!now.equals(then)) {
                        return Mono.error(new io.connectors.spi.CursorExpiredException("the columns of table " + t.name()
                                + " changed since the job started: a full sync reads it again, then the stream follows"));
                    }
                    List<PgOutput.Column> sent = rows.stream().filter(r -> !"true".equals(r.get("generated")))
                            .map(r -> new PgOutput.Column(r.get("name"), Integer.parseInt(r.get("type")),
                                    Integer.parseInt(r.get("modifier")), false)).toList();
                    return Mono.just(Map.entry(t.relation().get(), sent));
                }))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue, LinkedHashMap::new);
    }

    /** The relations the publication carries ({@code "schema"."table"}), and whether it carries every table. */
    record Published(boolean exists, boolean allTables, Set<String> tables, List<String> missingOperations) {
    }

    Mono<Published> published(Connection c) {
        return rows(c, "SELECT puballtables::text AS all_tables, pubinsert::text AS ins, pubupdate::text AS upd,"
                + " pubdelete::text AS del, pubtruncate::text AS trunc FROM pg_publication WHERE pubname = $1",
                List.of(publication), row -> {
                    List<String> missing = new ArrayList<>();
                    for (String[] op : new String[][] {{"ins", "insert"}, {"upd", "update"}, {"del", "delete"},
                            {"trunc", "truncate"}}) {
                        if (!"true".equals(row.get(op[0]))) {
                            missing.add(op[1]);
                        }
                    }
                    return new Published(true, "true".equals(row.get("all_tables")), Set.of(), missing);
                })
                .next()
                .flatMap(p -> rows(c, "SELECT schemaname::text AS schema, tablename::text AS name FROM pg_publication_tables"
                        + " WHERE pubname = $1", List.of(publication),
                        row -> PgTarget.ident(row.get("schema")) + "." + PgTarget.ident(row.get("name")))
                        .collect(java.util.stream.Collectors.toCollection(LinkedHashSet::new))
                        .map(tables -> new Published(true, p.allTables(), tables, p.missingOperations())))
                .defaultIfEmpty(new Published(false, false, Set.of(), List.of()));
    }

    // --------------------------------------------------------------------------------------------- changing it

    /**
     * Makes the publication carry exactly {@code targets} (the source's own: created or altered; one named in
     * {@code publication}: checked). Emits whether the set of tables changed.
     */
    Mono<Boolean> ensurePublication(Connection c, List<PgTarget> targets) {
        Set<String> wanted = new LinkedHashSet<>();
        targets.forEach(t -> t.relation().ifPresent(wanted::add));
        return published(c).flatMap(p -> {
            if (!ownPublication) {
                List<String> problems = new ArrayList<>();
                if (!p.exists()) {
                    problems.add("publication '" + publication + "' does not exist (CREATE PUBLICATION " + PgTarget.ident(
                            publication) + " FOR TABLE " + String.join(", ", wanted) + ")");
                } else {
                    if (!p.missingOperations().isEmpty()) {
                        problems.add("publication '" + publication + "' does not publish " + String.join(", ",
                                p.missingOperations()) + ": changes of that kind would be missed");
                    }
                    List<String> absent = wanted.stream().filter(t -> !p.allTables() && !p.tables().contains(t)).toList();
                    if (!absent.isEmpty()) {
                        problems.add("publication '" + publication + "' does not carry " + String.join(", ", absent)
                                + " (ALTER PUBLICATION " + PgTarget.ident(publication) + " ADD TABLE " + String.join(", ",
                                absent) + ")");
                    }
                }
                return problems.isEmpty() ? Mono.just(false)
                        : Mono.error(new ConfigValidationException(PgConfig.PUBLICATION, String.join("; ", problems)));
            }
            if (p.exists() && p.tables().equals(wanted) && p.missingOperations().isEmpty() && !p.allTables()) {
                return Mono.just(false);
            }
            String tables = String.join(", ", wanted);
            // A partitioned table's changes are published under its own name, not its partitions' (PostgreSQL 13+).
            Mono<String> create = rows(c, "SELECT current_setting('server_version_num')::int >= 130000 AS via_root",
                    List.of(), row -> "true".equals(row.get("via_root"))).next()
                    .map(viaRoot -> "CREATE PUBLICATION " + PgTarget.ident(publication) + " FOR TABLE " + tables
                            + " WITH (publish = 'insert, update, delete, truncate'"
                            + (viaRoot ? ", publish_via_partition_root = true" : "") + ")");
            Mono<String> sql = !p.exists() ? create
                    : Mono.just("ALTER PUBLICATION " + PgTarget.ident(publication) + " SET TABLE " + tables);
            return writable(c).then(sql.flatMap(statement -> execute(c, statement)))
                    .then(p.exists() && !p.missingOperations().isEmpty()
                            ? execute(c, "ALTER PUBLICATION " + PgTarget.ident(publication)
                            + " SET (publish = 'insert, update, delete, truncate')") : Mono.empty())
                    .thenReturn(true);
        });
    }

    /**
     * The position to follow from, before a full sync reads: a new slot's consistent point, or an existing slot moved
     * to the server's current position (what came before is read by the full sync). A slot the server invalidated is
     * dropped and created again.
     */
    Mono<Long> startingPosition(Connection c) {
        return writable(c).then(state(c)).flatMap(found -> {
            if (found.isPresent() && !"pgoutput".equals(found.get().plugin())) {
                return Mono.error(new SourceException("replication slot '" + slot + "' exists with output plugin '"
                        + found.get().plugin() + "' (database " + found.get().database() + "): it is not this connector's;"
                        + " drop it or give the connector another id", null, false));
            }
            if (found.isPresent() && !found.get().database().equals(config.database())) {
                return Mono.error(new SourceException("replication slot '" + slot + "' belongs to database '"
                        + found.get().database() + "', not '" + config.database() + "': drop it or give the connector"
                        + " another id", null, false));
            }
            if (found.isEmpty()) {
                return create(c);
            }
            if (!found.get().usable()) {
                return drop(c).then(create(c));
            }
            return whileActive(rows(c, "SELECT end_lsn::text AS lsn FROM pg_replication_slot_advance($1, pg_current_wal_lsn())",
                    List.of(slot), row -> PgOutput.lsn(row.get("lsn"))).next());
        });
    }

    private Mono<Long> create(Connection c) {
        return rows(c, "SELECT lsn::text AS lsn FROM pg_create_logical_replication_slot($1, 'pgoutput')", List.of(slot),
                row -> PgOutput.lsn(row.get("lsn"))).next();
    }

    /** Drops the slot (waiting for a replication connection that is ending); nothing when there is none. */
    Mono<Boolean> drop(Connection c) {
        return writable(c).then(whileActive(rows(c, "SELECT pg_drop_replication_slot(slot_name)::text AS dropped"
                + " FROM pg_replication_slots WHERE slot_name = $1", List.of(slot), row -> true).next()))
                .defaultIfEmpty(false);
    }

    /** Drops the source's own publication; nothing when there is none, or when it is the configured one. */
    Mono<Boolean> dropPublication(Connection c) {
        if (!ownPublication) {
            return Mono.just(false);
        }
        return published(c).flatMap(p -> !p.exists() ? Mono.just(false)
                : writable(c).then(execute(c, "DROP PUBLICATION IF EXISTS " + PgTarget.ident(publication))).thenReturn(true));
    }

    /** Retries {@code work} while the slot is still held by a replication connection that is ending. */
    private static <T> Mono<T> whileActive(Mono<T> work) {
        long attempts = ACTIVE_WAIT.toMillis() / 250;
        return work.retryWhen(Retry.fixedDelay(attempts, Duration.ofMillis(250))
                .filter(e -> e instanceof R2dbcException r && "55006".equals(r.getSqlState()))
                .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }

    private static Mono<Void> writable(Connection c) {
        return execute(c, "SET default_transaction_read_only = off");
    }

    private static Mono<Void> execute(Connection c, String sql) {
        return Flux.from(c.createStatement(sql).execute()).flatMap(r -> r.getRowsUpdated()).then();
    }

    /** Rows of {@code sql} with text parameters {@code $1...}, each column read as text. */
    private static <T> Flux<T> rows(Connection c, String sql, List<String> params, Function<Row, T> map) {
        return Flux.defer(() -> {
            Statement s = c.createStatement(sql);
            for (int i = 0; i < params.size(); i++) {
                s.bind("$" + (i + 1), params.get(i));
            }
            return Flux.from(s.execute()).flatMap(r -> r.map((row, meta) -> {
                Map<String, String> values = new LinkedHashMap<>();
                for (io.r2dbc.spi.ColumnMetadata column : meta.getColumnMetadatas()) {
                    Object v = row.get(column.getName());
                    values.put(column.getName(), v == null ? null : String.valueOf(v));
                }
                return map.apply(new Row(values));
            }));
        });
    }

    private static long number(String text) {
        return text == null ? -1 : Long.parseLong(text);
    }

    /** A row's values as text. */
    record Row(Map<String, String> values) {
        String get(String column) {
            return values.get(column);
        }
    }
}
