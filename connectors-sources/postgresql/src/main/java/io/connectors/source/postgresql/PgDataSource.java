package io.connectors.source.postgresql;

import io.connectors.spi.BaseDataSource;
import io.connectors.spi.ChangeEvent;
import io.connectors.spi.ChangeWatchingSource;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.DeferredSource;
import io.connectors.spi.IncrementalSource;
import io.connectors.spi.MappingContributor;
import io.connectors.spi.RealtimeSource;
import io.connectors.spi.ResourceHoldingSource;
import io.connectors.spi.SchemaDiscoverySource;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.SourceResource;
import io.connectors.spi.SourceSplit;
import io.connectors.spi.SplitEvent;
import io.connectors.spi.SplitPosition;
import io.connectors.spi.SplittableSource;
import io.connectors.spi.SyncCursor;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.config.FieldError;
import io.connectors.spi.network.NetworkPolicy;
import io.connectors.spi.rules.AdvancedRulesValidator;
import io.connectors.spi.rules.SyncRules;
import io.connectors.spi.support.Failures;
import io.connectors.spi.support.FieldMappings;
import io.connectors.source.sql.CursorReads;
import io.connectors.source.sql.KeysetReads;
import io.connectors.source.sql.SqlConnections;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A PostgreSQL database's tables (or the queries of its advanced rules), read over a pool of R2DBC connections.
 *
 * <ul>
 *   <li>Full syncs read each table in pages of {@code fetch_size} rows ordered by its primary key, each page starting
 *       after the last key read (keyset pagination: no OFFSET, so page N costs what page 1 costs), one query per page
 *       on a pooled connection, fetched when the runtime asks for more.</li>
 *   <li>A table's pages list only keys and row versions ({@link PgQueries#version}: {@code xmin} and the columns'
 *       fingerprint), as deferred documents; {@link #fetch} reads the rows the runtime found new or changed, by key,
 *       one query per batch. Views and the queries of advanced rules have no row version: their pages read whole
 *       rows, as built documents without version (the runtime compares their fields).</li>
 *   <li>A query that loses its connection (server restart, {@code pg_terminate_backend}, network) is retried with
 *       back-off from the last row read: nothing is read twice and nothing is skipped.</li>
 *   <li>Incremental syncs read the rows whose {@code cursor_column} passed the saved position, with a checkpoint
 *       after every page; a table's rows as deferred documents with the versions a full sync lists, so that rows
 *       re-read by {@code cursor_overlap} are recognised unchanged.</li>
 *   <li>Rows become documents through {@code to_json} on the server and {@link PgTypes}; {@link PgTypes} also derives
 *       the index mapping from the column types.</li>
 *   <li>The change watch reads the statistics counters of the database's tables ({@code pg_stat_user_tables}), so a
 *       scheduled sync of an unchanged database is skipped.</li>
 *   <li>In real-time mode ({@link SourceContext#realtime}) the cursor is a position in the WAL: a full sync first makes
 *       sure of the connector's publication and logical replication slot and takes the slot's position
 *       ({@link PgSlot#startingPosition}); then {@link #followChanges} streams the slot from the saved position
 *       ({@link PgReplication}, {@link PgChanges}), and {@link #checkpointSaved} confirms to the server what the
 *       runtime stored. Changes made while the full sync read are streamed again after it: each becomes a fetch of the
 *       row's current state by key (or a delete), so applying them again converges on the table.</li>
 * </ul>
 * One pool per instance, created on first use and closed by {@link #close()}.
 */
final class PgDataSource implements BaseDataSource, RealtimeSource, DeferredSource, AdvancedRulesValidator,
        SchemaDiscoverySource, MappingContributor, ChangeWatchingSource, SplittableSource, ResourceHoldingSource {
    private static final Logger LOG = LoggerFactory.getLogger(PgDataSource.class);
    /** The field holding a document's table (or rule) name. */
    static final String TABLE_FIELD = "pg_table";
    private static final String FROM_LAST_ROW = "from the last row read";
    static final String RETAINED_GAUGE = "postgresql_slot_retained_wal_bytes";
    private static final String RETAINED_HELP = "WAL the connector's replication slot retains on the server (current"
            + " position minus the slot's restart position)";
    static final String LAG_GAUGE = "postgresql_slot_lag_bytes";
    private static final String LAG_HELP = "WAL written since the position the connector last confirmed (current"
            + " position minus the slot's confirmed position)";

    /**
     * A fingerprint of every user table of the database: write counters, storage (changed by TRUNCATE and rewrites)
     * and columns (changed by DDL). Equal fingerprints: no write was published in between.
     */
    static final String FINGERPRINT_SQL = """
            SELECT coalesce(md5(string_agg(concat_ws(':', s.relid, c.relfilenode, s.n_tup_ins, s.n_tup_upd, s.n_tup_del,
                       (SELECT string_agg(a.attname || '/' || a.atttypid, ',' ORDER BY a.attnum) FROM pg_attribute a
                        WHERE a.attrelid = s.relid AND a.attnum > 0 AND NOT a.attisdropped)), ';' ORDER BY s.relid)), '')
                   AS fingerprint
            FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid""";

    private final PgConfig config;
    private final SourceContext context;
    private final PgCatalog catalog;
    /** The pool, behind the network policy: every new connection (pooled or not) is checked. */
    private final SqlConnections connections;
    /** The configured tables, resolved once per instance (by validateConfig or the first read). */
    private final AtomicReference<Mono<List<PgTarget>>> tables = new AtomicReference<>();
    /** The last plan a read or mapping resolved, with the advanced rules it was resolved for. */
    private final AtomicReference<Plan> lastPlan = new AtomicReference<>();
    /** Why tables were left out, as the last resolution of the configured tables found. */
    private final AtomicReference<List<String>> skippedTables = new AtomicReference<>(List.of());
    /** Each target's row conversion, built once. */
    private final Map<PgTarget, PgTypes> conversions = new java.util.concurrent.ConcurrentHashMap<>();
    /** Each target's {@link PgQueries#fingerprint}, computed once. */
    private final Map<PgTarget, String> fingerprints = new java.util.concurrent.ConcurrentHashMap<>();
    /** The connector's slot and publication, for real-time mode. */
    private final PgSlot slot;
    /** The replication session being followed, if any: what {@link #checkpointSaved} confirms to. */
    private final AtomicReference<PgReplication.Session> session = new AtomicReference<>();
    /** When the retained WAL was last said to be past its threshold (nanoTime), to say it every few minutes only. */
    private final java.util.concurrent.atomic.AtomicLong retainedWarned = new java.util.concurrent.atomic.AtomicLong();

    private record Plan(Map<String, Object> advanced, Mono<List<PgTarget>> targets) {
    }

    PgDataSource(PgConfig config, SourceContext context) {
        this.config = config;
        this.context = context;
        this.catalog = new PgCatalog(config);
        this.connections = new SqlConnections("PostgreSQL", context.connectorId(), config.pool(),
                checked(config.connectionFactory(), context.network(), config), m -> PgErrors.scrub(m, config));
        this.slot = new PgSlot(config, context.connectorId());
    }

    /**
     * {@code factory}, whose connections are opened only once {@code policy} allowed the host: checked for each new
     * connection (not each use of a pooled one), so a host whose name now resolves elsewhere is checked again.
     */
    static ConnectionFactory checked(ConnectionFactory factory, NetworkPolicy policy, PgConfig config) {
        return SqlConnections.checked(factory, policy, PgConfig.HOST, config.host(), config.port(), c -> Mono.empty());
    }

    // ------------------------------------------------------------------------------------------------ connections


    @Override
    public Mono<Void> ping() {
        return connections.withConnection(c -> Flux.from(c.createStatement("SELECT 1").execute())
                        .flatMap(r -> r.map((row, meta) -> 1)).then())
                .timeout(config.connectTimeout().multipliedBy(2))
                .onErrorMap(e -> PgErrors.describe(e, config, "connecting"));
    }

    @Override
    public Mono<Void> validateConfig() {
        return tables()
                .flatMap(targets -> {
                    List<FieldError> errors = new ArrayList<>();
                    config.cursorColumn().ifPresent(column -> targets.stream()
                            .filter(t -> t.column(column).isEmpty())
                            .forEach(t -> errors.add(new FieldError(PgConfig.CURSOR_COLUMN, "table " + t.name()
                                    + " has no column '" + column + "'"))));
                    Mono<List<FieldError>> following = context.realtime() ? followingProblems(targets)
                            : unfollowedSlot().thenReturn(List.of());
                    return following.flatMap(more -> {
                        errors.addAll(more);
                        return errors.isEmpty() ? Mono.<Void>empty() : Mono.error(new ConfigValidationException(errors));
                    });
                })
                .onErrorMap(e -> !(e instanceof ConfigValidationException), e -> missingDatabase(e)
                        .map(Throwable.class::cast).orElseGet(() -> PgErrors.describe(e, config, "reading the catalog")));
    }

    /** What keeps real-time mode from following the tables: the server's {@code wal_level}, views, replica identities. */
    private Mono<List<FieldError>> followingProblems(List<PgTarget> targets) {
        return connections.withConnection(c -> PgSlot.walLevel(c).flatMap(level -> {
            if (!"logical".equals(level)) {
                return Mono.error(new SourceException("real-time mode needs wal_level = logical on " + config.where()
                        + " (it is '" + level + "'): set it in postgresql.conf (ALTER SYSTEM SET wal_level = logical)"
                        + " and restart the server, or set realtime: false", null, false));
            }
            return PgSlot.followProblems(c, targets);
        }));
    }

    /**
     * Outside real-time mode, a slot of the connector's left from when it was on retains WAL that nothing reads until
     * the disk fills: said at every sync, with the way out. Informative: a failed look says nothing.
     */
    private Mono<Void> unfollowedSlot() {
        return connections.withConnection(slot::state)
                .doOnNext(state -> state.ifPresent(s -> LOG.warn("Connector {}: replication slot '{}' retains {} bytes of"
                                + " WAL, but the connector is not in real-time mode: nothing will read it. Drop it with"
                                + " `connectors sources drop-resources {}`, or set realtime: true", context.connectorId(),
                        slot.slot(), s.retainedBytes(), context.connectorId())))
                .then()
                .onErrorResume(e -> {
                    LOG.debug("Connector {}: looking for a replication slot failed: {}", context.connectorId(), e.toString());
                    return Mono.empty();
                });
    }

    private Optional<ConfigValidationException> missingDatabase(Throwable e) {
        R2dbcException r2dbc = Failures.find(e, R2dbcException.class);
        if (r2dbc != null && "3D000".equals(r2dbc.getSqlState())) {
            return Optional.of(new ConfigValidationException(PgConfig.DATABASE, "database '" + config.database()
                    + "' does not exist on " + config.host() + ":" + config.port()));
        }
        return Optional.empty();
    }

    /** The configured tables that are left out, and why (no key): what a sync only logs, for {@code config check}. */
    @Override
    public Mono<List<String>> configWarnings() {
        return tables().map(targets -> skippedTables.get().stream().map(reason -> "skipped: " + reason).toList())
                .onErrorMap(e -> !(e instanceof ConfigValidationException), e -> PgErrors.describe(e, config, "reading the catalog"));
    }

    /** The configured tables, resolved once (errors are not cached: a later call tries again). */
    private Mono<List<PgTarget>> tables() {
        Mono<List<PgTarget>> known = tables.get();
        if (known != null) {
            return known;
        }
        Mono<List<PgTarget>> resolving = connections.withConnection(catalog::resolve)
                .flatMap(resolution -> {
                    if (!resolution.errors().isEmpty()) {
                        return Mono.<List<PgTarget>>error(new ConfigValidationException(resolution.errors()));
                    }
                    if (resolution.targets().isEmpty() && !resolution.skipped().isEmpty()) {
                        // Every table would be skipped: the connector would sync nothing, and say it completed.
                        return Mono.<List<PgTarget>>error(new ConfigValidationException(PgConfig.KEY_COLUMNS,
                                "no table can be synced: " + String.join("; ", resolution.skipped())
                                        + " (for example key_columns: [\"<table>: <column>, ...\"])"));
                    }
                    skippedTables.set(List.copyOf(resolution.skipped()));
                    resolution.skipped().forEach(reason -> LOG.warn("Connector {}: skipped table: {}",
                            context.connectorId(), reason));
                    return Mono.just(resolution.targets());
                })
                .cacheInvalidateIf(list -> false)
                .doOnError(e -> tables.set(null));
        return tables.compareAndSet(null, resolving) ? resolving : tables.get();
    }

    /** What a sync with these rules reads: the rules' queries, else the configured tables. */
    private Mono<List<PgTarget>> plan(SyncRules rules) {
        Map<String, Object> advanced = rules.advanced();
        Plan last = lastPlan.get();
        if (last != null && last.advanced().equals(advanced)) {
            return last.targets();
        }
        Mono<List<PgTarget>> targets = advanced.isEmpty() ? tables() : connections.withOwnConnection(c -> queries(c, advanced)).cache();
        lastPlan.set(new Plan(advanced, targets));
        return targets;
    }

    private Mono<List<PgTarget>> queries(Connection c, Map<String, Object> advanced) {
        PgRules parsed;
        try {
            parsed = PgRules.parse(advanced);
        } catch (IllegalArgumentException e) {
            return Mono.error(new SourceException(e.getMessage(), null, false));
        }
        return parsed.resolve(c, table -> catalog.primaryKey(c, table))
                .onErrorMap(IllegalArgumentException.class, e -> new SourceException("invalid advanced rules: "
                        + e.getMessage(), null, false))
                .map(resolved -> resolved.stream().map(q -> new PgTarget(q.table(), "(" + q.sql() + ")", q.key(),
                        q.keyTypes(), q.columns(), Optional.empty(), -1, false, false)).toList());
    }

    @Override
    public Mono<List<String>> validateAdvancedRules(Map<String, Object> advanced) {
        return Mono.defer(() -> {
            List<String> problems = PgRules.problems(advanced);
            if (!problems.isEmpty()) {
                return Mono.just(problems);
            }
            PgRules parsed = PgRules.parse(advanced);
            return connections.withOwnConnection(c -> parsed.check(c, table -> catalog.primaryKey(c, table)));
        }).onErrorMap(e -> PgErrors.describe(e, config, "checking the advanced rules"));
    }

    // ------------------------------------------------------------------------------------------------- full sync

    @Override
    public Flux<SourceDocument> getDocs(SyncRules rules) {
        return connections.reading(plan(rules)
                .flatMapMany(targets -> Flux.fromIterable(targets).concatMap(this::pages, 0))
                .onErrorMap(e -> PgErrors.describe(e, config, "reading the tables")));
    }

    /** Every row of a target, page after page ({@link KeysetReads#pages}). */
    private Flux<SourceDocument> pages(PgTarget target) {
        return KeysetReads.pages(keyed(target), (after, overlapping, limit) -> query(target,
                PgQueries.fullPage(target, after != null, overlapping, limit).sql(), after, List.of(),
                "reading " + target.name(), FROM_LAST_ROW), config.fetchSize());
    }

    /** A target as the keyset walk sees it. */
    private KeysetReads.Table<PgQueries.Row> keyed(PgTarget target) {
        return new KeysetReads.Table<>(target.name(), target.key(), target.uniqueKey(), PgQueries.Row::key,
                row -> document(target, row));
    }

    // ------------------------------------------------------------------------------------------------ splits

    @Override
    public Mono<List<SourceSplit>> planSplits(SyncRules rules) {
        return plan(rules)
                .flatMap(targets -> connections.withConnection(c -> Flux.fromIterable(targets)
                        .concatMap(t -> PgSplits.plan(c, t, config.splitRows()))
                        .concatMapIterable(l -> l)
                        .collectList()))
                .doOnNext(splits -> LOG.info("Connector {}: planned {} split(s) of at most about {} rows", context.connectorId(),
                        splits.size(), config.splitRows()))
                .onErrorMap(e -> PgErrors.describe(e, config, "planning the splits"));
    }

    /** A split's rows page after page, with the position after each ({@link KeysetReads#split}). */
    @Override
    public Flux<SplitEvent> readSplit(SourceSplit split, SplitPosition from, SyncRules rules) {
        return connections.reading(plan(rules).flatMapMany(targets -> {
            PgTarget target = KeysetReads.table(split, targets, PgTarget::name);
            return KeysetReads.split(split, from, keyed(target),
                    (after, overlapping, limit) -> query(target, PgQueries.fullPage(target, after != null, overlapping,
                            limit).sql(), after, List.of(), "reading " + target.name(), FROM_LAST_ROW),
                    (lower, upper, after, limit) -> {
                        List<Object> bounds = new ArrayList<>(2);
                        if (lower != null) {
                            bounds.add(lower);
                        }
                        if (upper != null) {
                            bounds.add(upper);
                        }
                        return query(target, PgQueries.splitPage(target, lower != null, upper != null, after != null,
                                false, limit).sql(), after, bounds, "reading " + target.name(), FROM_LAST_ROW);
                    },
                    config.fetchSize());
        }).onErrorMap(e -> PgErrors.describe(e, config, "reading split " + split.id())));
    }

    /**
     * Runs one query and collects its rows, retrying it when the connection was lost. A page's query starts from the
     * last row already emitted, so a retry neither repeats nor skips a row; a fetch emits nothing before its query
     * completes, so a retry repeats nothing.
     *
     * @param retrying what a retry does, for its log line ({@code from the last row read})
     */
    private Mono<List<PgQueries.Row>> query(PgTarget target, String sql, List<String> key, List<Object> extra,
                                            String what, String retrying) {
        return connections.withConnection(c -> {
            Statement statement = c.createStatement(sql);
            int i = 0;
            for (Object value : extra) {
                statement.bind(i++, value);
            }
            if (key != null) {
                for (String value : key) {
                    statement.bind(i++, value);
                }
            }
            return Flux.from(statement.execute())
                    .flatMap(result -> result.map((row, meta) -> PgQueries.Row.read(row, target.key().size())))
                    .collectList();
        }).retryWhen(connections.retry(PgErrors::isConnectionLoss, what, retrying))
                .onErrorMap(e -> PgErrors.describe(e, config, what));
    }

    /** A row's document: deferred for a listed row, built for a row read whole (with its version, if it has one). */
    private SourceDocument document(PgTarget target, PgQueries.Row row) {
        String id = PgQueries.id(target.name(), row.key());
        String version = row.xmin() == null ? null
                : PgQueries.version(row.xmin(), fingerprints.computeIfAbsent(target, PgQueries::fingerprint));
        if (row.json() == null) {
            return SourceDocument.deferred(id, version, new PgQueries.Listed(target, row.key()));
        }
        Map<String, Object> fields = conversions.computeIfAbsent(target, t -> PgTypes.of(t.columns())).document(row.json());
        return SourceDocument.builder(id)
                .version(version)
                .fields(fields)
                .field(TABLE_FIELD, target.name())
                .build();
    }

    // ---------------------------------------------------------------------------------------- deferred documents

    /**
     * Reads the rows of {@code deferred}, grouped by table, in queries of at most {@code fetch_size} keys, one after
     * the other; each query is retried like a page when its connection is lost (nothing is emitted before it
     * completes, so a retry repeats nothing). A row deleted since it was listed is not found, so not emitted.
     */
    @Override
    public Flux<SourceDocument> fetch(List<SourceDocument> deferred) {
        return connections.reading(KeysetReads.fetch(deferred, PgQueries.Listed.class, PgQueries.Listed::target,
                        config.fetchSize(), this::rows, "the PostgreSQL source of connector " + context.connectorId()))
                .onErrorMap(e -> PgErrors.describe(e, config, "reading changed rows"));
    }

    /** The documents of the rows of one table with these keys (one array parameter per key column); one per key. */
    private Flux<SourceDocument> rows(PgTarget target, List<PgQueries.Listed> listed) {
        List<Object> arrays = new ArrayList<>();
        for (int i = 0; i < target.key().size(); i++) {
            int column = i;
            arrays.add(listed.stream().map(l -> l.key().get(column)).toArray(String[]::new));
        }
        return KeysetReads.asked(listed.stream().map(l -> PgQueries.id(target.name(), l.key())).toList(),
                query(target, PgQueries.byKey(target), null, arrays, "reading changed rows of " + target.name(),
                        "the same keys")
                        .flatMapIterable(rows -> rows)
                        .map(row -> document(target, row)));
    }

    // ------------------------------------------------------------------------------------------ incremental sync

    @Override
    public Mono<SyncCursor> currentCursor() {
        if (context.realtime()) {
            return followCursor();
        }
        if (config.cursorColumn().isEmpty()) {
            // No cursor column, no incremental syncs: a full sync takes no cursor (the runtime accepts an empty one).
            return Mono.empty();
        }
        return Mono.defer(() -> {
            String column = cursorColumn();
            Plan last = lastPlan.get();
            return CursorReads.current(column, last != null ? last.targets() : tables(), PgTarget::name,
                    t -> fetchMax(t, column));
        }).onErrorMap(e -> PgErrors.describe(e, config, "reading the cursor column's position"));
    }

    private Mono<Optional<String>> fetchMax(PgTarget target, String column) {
        String sql = "SELECT max(" + PgTarget.ident(target.alias()) + "." + PgTarget.ident(column) + ")::text AS max FROM "
                + target.from() + " " + PgTarget.ident(target.alias());
        return connections.withConnection(c -> Flux.from(c.createStatement(sql).execute())
                .flatMap(r -> r.map((row, meta) -> Optional.ofNullable(row.get("max", String.class))))
                .next());
    }

    @Override
    public Flux<ChangeEvent> getDocsIncrementally(SyncCursor cursor, SyncRules rules) {
        if (context.realtime()) {
            return Flux.error(CursorReads.realtimeOnly(context.connectorId()));
        }
        return connections.reading(Flux.defer(() -> {
            String column = cursorColumn();
            return CursorReads.changes(cursor, column, plan(rules), PgTarget::name, t -> t.column(column).isPresent(),
                    (t, from, positions) -> changes(t, column, from, positions));
        }).onErrorMap(e -> PgErrors.describe(e, config, "reading the changed rows")));
    }

    /**
     * The rows of a target whose cursor column passed {@code from} (by at least {@code cursor_overlap} before it, for a
     * date or time column), page by page, each page followed by a checkpoint.
     */
    private Flux<ChangeEvent> changes(PgTarget target, String column, String from, Map<String, Object> positions) {
        PgColumn cursorColumn = target.column(column).orElseThrow();
        boolean overlaps = PgQueries.isTime(cursorColumn) && !config.cursorOverlap().isZero();
        List<Object> start = new ArrayList<>();
        if (from != null) {
            start.add(from);
            if (overlaps) {
                start.add(config.cursorOverlap().toMillis() + " milliseconds");
            }
        }
        String what = "reading the changes of " + target.name();
        return CursorReads.pages(target.name(), column, (after, limit) -> after == null
                        ? query(target, PgQueries.changesPage(target, cursorColumn, from != null, overlaps, false, limit),
                                null, start, what, FROM_LAST_ROW)
                        : query(target, PgQueries.changesPage(target, cursorColumn, true, false, true, limit),
                                after.key(), List.of(after.cursor()), what, FROM_LAST_ROW),
                PgQueries.Row::cursor, row -> document(target, row), positions, config.fetchSize());
    }

    private String cursorColumn() {
        return config.cursorColumn().orElseThrow(() -> CursorReads.noCursorColumn(context.connectorId()));
    }

    // ----------------------------------------------------------------------------------------------- real time

    /**
     * Real-time mode's cursor, taken before a full sync reads: the publication made to carry the synced tables, and the
     * slot's position, created or moved to the server's current one.
     */
    private Mono<SyncCursor> followCursor() {
        return Mono.defer(() -> {
            Plan last = lastPlan.get();
            Mono<List<PgTarget>> targets = last != null ? last.targets() : tables();
            return targets.flatMap(list -> followable(list)
                    .then(connections.withOwnConnection(c -> slot.ensurePublication(c, list).then(slot.startingPosition(c)))))
                    .map(PgChanges::cursor)
                    .doOnNext(cursor -> LOG.info("Connector {}: replication slot '{}' at {}, publication '{}'; the changes"
                                    + " from there are followed after the full sync", context.connectorId(), slot.slot(),
                            cursor.values().get(PgChanges.LSN), slot.publication()));
        }).onErrorMap(e -> PgErrors.describe(e, config, "preparing replication slot '" + slot.slot() + "'"));
    }

    /** Queries (of advanced rules) cannot be followed: their rows have no changes of their own. */
    private static Mono<Void> followable(List<PgTarget> targets) {
        List<String> queries = targets.stream().filter(t -> t.relation().isEmpty()).map(PgTarget::name).toList();
        return queries.isEmpty() ? Mono.empty() : Mono.error(new SourceException("real-time mode follows tables, not the"
                + " queries of advanced rules (" + String.join(", ", queries) + "): remove the advanced rules, or set"
                + " realtime: false", null, false));
    }

    @Override
    public Flux<ChangeEvent> followChanges(SyncCursor cursor, SyncRules rules) {
        return connections.reading(Flux.defer(() -> {
            long from;
            try {
                from = PgOutput.lsn(String.valueOf(cursor.values().get(PgChanges.LSN)));
            } catch (RuntimeException e) {
                return Flux.error(new CursorExpiredException("the saved cursor is not a position in the WAL (it was"
                        + " saved before real-time mode was turned on)"));
            }
            return plan(rules).flatMapMany(targets -> followable(targets)
                    .then(connections.withOwnConnection(c -> resumable(c, targets, from)))
                    .flatMapMany(signatures -> stream(targets, signatures, from)));
        }).onErrorMap(e -> PgErrors.describe(e, config, "following replication slot '" + slot.slot() + "'")));
    }

    /**
     * Checks that the slot still holds every change after {@code from}, and that the publication still carries the
     * synced tables; emits the tables' columns for {@link PgChanges}. Anything else is a {@link CursorExpiredException}:
     * the runtime runs a full sync, which takes a new position, and follows from there.
     */
    private Mono<Map<String, List<PgOutput.Column>>> resumable(Connection c, List<PgTarget> targets, long from) {
        return slot.state(c).flatMap(found -> {
            if (found.isEmpty()) {
                return Mono.error(new CursorExpiredException("replication slot '" + slot.slot() + "' no longer exists"
                        + " (dropped by hand?): the changes since the last saved position are gone"));
            }
            PgSlot.State state = found.get();
            report(state);
            if (!state.usable()) {
                return Mono.error(new CursorExpiredException("replication slot '" + slot.slot() + "' was invalidated by"
                        + " the server (" + state.invalidation().orElseThrow() + "; max_slot_wal_keep_size let it remove"
                        + " WAL the slot needed): the changes since the last saved position are gone"));
            }
            if (state.confirmed() > from) {
                return Mono.error(new CursorExpiredException("replication slot '" + slot.slot() + "' was moved past the"
                        + " saved position (it is at " + state.confirmedLsn() + ", the cursor at " + PgOutput.lsn(from)
                        + "): the changes in between are gone from it"));
            }
            return slot.ensurePublication(c, targets).flatMap(changed -> changed
                    ? Mono.error(new CursorExpiredException("the synced tables changed (publication '"
                    + slot.publication() + "' now carries " + targets.stream().map(PgTarget::name).toList()
                    + "): a full sync reads them, then the stream follows"))
                    : PgSlot.signatures(c, targets));
        });
    }

    /** The slot's changes after {@code from} as change events, until cancelled or failed; the slot watched meanwhile. */
    private Flux<ChangeEvent> stream(List<PgTarget> targets, Map<String, List<PgOutput.Column>> signatures, long from) {
        PgChanges changes = new PgChanges(targets, signatures);
        Mono<PgReplication.Session> open = context.network().check(PgConfig.HOST, config.host(), config.port())
                .then(PgReplication.open(config.connectionFactory(), slot.slot(), slot.publication(), from,
                        config.statusInterval()))
                .doOnNext(s -> {
                    session.set(s);
                    LOG.info("Connector {}: following replication slot '{}' from {}", context.connectorId(), slot.slot(),
                            PgOutput.lsn(from));
                });
        return Flux.usingWhen(open,
                s -> Flux.merge(s.follow(changes::of, lsn -> new ChangeEvent.Checkpoint(PgChanges.cursor(lsn))),
                        watchSlot()),
                this::end, (s, e) -> end(s), this::end);
    }

    /** Closes the stream; the slot's gauges say "unknown" until a job measures it again, rather than a stale figure. */
    private Mono<Void> end(PgReplication.Session s) {
        session.compareAndSet(s, null);
        context.metrics().gauge(RETAINED_GAUGE, RETAINED_HELP, Double.NaN);
        context.metrics().gauge(LAG_GAUGE, LAG_HELP, Double.NaN);
        return s.close();
    }

    /**
     * Measures the slot every status interval while it is followed (the gauges, the retained-WAL warning) and ends
     * the stream when the server invalidated it. Emits nothing; a measurement that fails is skipped.
     */
    private Flux<ChangeEvent> watchSlot() {
        return Flux.interval(config.statusInterval(), config.statusInterval())
                .onBackpressureDrop()
                .concatMap(tick -> connections.withConnection(slot::state).onErrorResume(e -> {
                    LOG.debug("Connector {}: measuring replication slot '{}' failed: {}", context.connectorId(),
                            slot.slot(), e.toString());
                    return Mono.empty();
                }), 1)
                .concatMap(found -> {
                    if (found.isEmpty()) {
                        return Mono.error(new CursorExpiredException("replication slot '" + slot.slot()
                                + "' disappeared while it was followed"));
                    }
                    report(found.get());
                    return found.get().usable() ? Mono.<ChangeEvent>empty()
                            : Mono.error(new CursorExpiredException("replication slot '" + slot.slot() + "' was"
                            + " invalidated by the server while it was followed (" + found.get().invalidation().orElseThrow()
                            + "): the changes it no longer holds are gone"));
                });
    }

    /** The slot's figures as gauges, and a warning (every few minutes at most) past the configured threshold. */
    private void report(PgSlot.State state) {
        context.metrics().gauge(RETAINED_GAUGE, RETAINED_HELP, state.retainedBytes());
        context.metrics().gauge(LAG_GAUGE, LAG_HELP, state.lagBytes());
        long now = System.nanoTime();
        long last = retainedWarned.get();
        if (state.retainedBytes() > config.slotWalWarning()
                && (last == 0 || now - last > Duration.ofMinutes(5).toNanos()) && retainedWarned.compareAndSet(last, now)) {
            LOG.warn("Connector {}: replication slot '{}' retains {} bytes of WAL, more than slot_retained_wal_warning ({});"
                            + " the server keeps it until the connector confirms it has stored the changes: check that"
                            + " its real-time job runs and keeps up (connectors jobs list --connector {})",
                    context.connectorId(), slot.slot(), state.retainedBytes(), config.slotWalWarning(),
                    context.connectorId());
        }
    }

    @Override
    public void checkpointSaved(SyncCursor cursor) {
        PgReplication.Session s = session.get();
        Object lsn = cursor.values().get(PgChanges.LSN);
        if (s != null && lsn != null) {
            s.confirm(PgOutput.lsn(String.valueOf(lsn)));
        }
    }

    @Override
    public Mono<List<SourceResource>> resources() {
        return connections.withOwnConnection(c -> slot.state(c).zipWith(slot.published(c)).map(found -> {
            List<SourceResource> out = new ArrayList<>();
            found.getT1().ifPresent(state -> out.add(slotResource(state)));
            PgSlot.Published p = found.getT2();
            if (p.exists()) {
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("owner", slot.ownPublication() ? "connector" : "configured (publication)");
                details.put("tables", p.allTables() ? "all" : String.join(", ", p.tables()));
                out.add(new SourceResource("publication", slot.publication(), details, List.of()));
            }
            return out;
        })).onErrorMap(e -> PgErrors.describe(e, config, "reading replication slot '" + slot.slot() + "'"));
    }

    private SourceResource slotResource(PgSlot.State state) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("database", state.database());
        details.put("active", state.active());
        if (state.pid() != null) {
            details.put("active_pid", state.pid());
        }
        details.put("confirmed_flush_lsn", state.confirmedLsn());
        details.put("restart_lsn", state.restartLsn());
        details.put("retained_wal_bytes", state.retainedBytes());
        details.put("lag_bytes", state.lagBytes());
        if (state.walStatus() != null) {
            details.put("wal_status", state.walStatus());
        }
        if (state.safeWalSize() != null) {
            details.put("safe_wal_size_bytes", state.safeWalSize());
        }
        List<String> warnings = new ArrayList<>();
        state.invalidation().ifPresent(reason -> warnings.add("invalidated by the server (" + reason + "): the next"
                + " real-time job runs a full sync and creates it again"));
        if (state.retainedBytes() > config.slotWalWarning()) {
            warnings.add("retains " + state.retainedBytes() + " bytes of WAL, more than slot_retained_wal_warning ("
                    + config.slotWalWarning() + "): check that the connector's real-time job runs and keeps up");
        }
        if (!context.realtime()) {
            warnings.add("the connector is not in real-time mode: nothing reads this slot, which retains WAL until it"
                    + " is dropped (connectors sources drop-resources " + context.connectorId() + ")");
        }
        return new SourceResource("replication_slot", slot.slot(), details, warnings);
    }

    @Override
    public Mono<List<String>> dropResources() {
        return connections.withOwnConnection(c -> slot.drop(c).zipWith(slot.dropPublication(c)).map(dropped -> {
            List<String> out = new ArrayList<>();
            if (dropped.getT1()) {
                out.add("dropped replication slot '" + slot.slot() + "'");
            }
            if (dropped.getT2()) {
                out.add("dropped publication '" + slot.publication() + "'");
            }
            return out;
        })).onErrorMap(e -> PgErrors.describe(e, config, "dropping replication slot '" + slot.slot()
                + "' (is a real-time job of the connector still running?)"));
    }

    // ------------------------------------------------------------------------------------ schema, mapping, watch

    @Override
    public Mono<SourceSchema> discoverSchema() {
        return tables().map(targets -> new SourceSchema(targets.stream().map(t -> {
                    Map<String, String> fields = new LinkedHashMap<>();
                    t.columns().forEach(c -> fields.put(c.name(), c.type()));
                    return new Collection(t.name(), fields, t.estimatedRows() < 0 ? -1 : t.estimatedRows());
                }).toList()))
                .onErrorMap(e -> !(e instanceof ConfigValidationException),
                        e -> PgErrors.describe(e, config, "reading the catalog"));
    }

    @Override
    public Map<String, Object> mappingProperties() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put(TABLE_FIELD, Map.of("type", "keyword"));
        return properties;
    }

    @Override
    public Mono<Map<String, Object>> mappingProperties(SyncRules rules) {
        return plan(rules).map(this::mapping)
                .onErrorMap(e -> !(e instanceof ConfigValidationException),
                        e -> PgErrors.describe(e, config, "reading the catalog"));
    }

    /**
     * The targets' mappings merged. A field two targets map differently (or one maps and another leaves to dynamic
     * mapping) gets the common mapping that holds both ({@link FieldMappings}), so that no table's rows are refused;
     * said once per sync, at INFO, with each table's type.
     */
    private Map<String, Object> mapping(List<PgTarget> targets) {
        Map<String, List<TableField>> byField = new LinkedHashMap<>();
        for (PgTarget t : targets) {
            PgTypes types = PgTypes.of(t.columns());
            Map<String, Object> explicit = types.mappingProperties();
            for (String field : types.fieldNames()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> definition = (Map<String, Object>) explicit.get(field);
                byField.computeIfAbsent(field, f -> new ArrayList<>()).add(new TableField(t.name(), definition));
            }
        }
        Map<String, Object> merged = new LinkedHashMap<>();
        List<String> widened = new ArrayList<>();
        byField.forEach((field, seen) -> {
            List<Map<String, Object>> definitions = seen.stream().map(TableField::definition).toList();
            Map<String, Object> common = FieldMappings.common(definitions);
            if (common != null) {
                merged.put(field, common);
            }
            if (definitions.stream().distinct().count() > 1) {
                String each = seen.stream().map(s -> (s.definition() == null ? "dynamic" : s.definition().get("type"))
                        + " in " + s.table()).collect(java.util.stream.Collectors.joining(", "));
                widened.add(field + " (" + each + ") as " + describe(common));
            }
        });
        if (!widened.isEmpty()) {
            LOG.info("Connector {}: fields typed differently by different tables get a mapping that holds every table's"
                    + " values: {}", context.connectorId(), String.join("; ", widened));
        }
        merged.putAll(mappingProperties());
        return merged;
    }

    /** How one table maps one field: its explicit mapping, or {@code null} for dynamic. */
    private record TableField(String table, Map<String, Object> definition) {
    }

    private static String describe(Map<String, Object> mapping) {
        if (mapping == null) {
            return "dynamic";
        }
        return Boolean.FALSE.equals(mapping.get("enabled")) ? "a stored, unindexed object" : String.valueOf(mapping.get("type"));
    }

    @Override
    public Flux<Signal> watchChanges() {
        if (!config.watchChanges()) {
            // Never WATCHING: the runtime then never skips a sync on the watch's word.
            return Flux.never();
        }
        return Flux.defer(() -> {
            AtomicReference<String> last = new AtomicReference<>();
            return Flux.interval(Duration.ZERO, config.watchInterval())
                    .onBackpressureDrop()
                    .concatMap(tick -> fingerprint(), 1)
                    .concatMap(fingerprint -> {
                        String previous = last.getAndSet(fingerprint);
                        if (previous == null) {
                            return Mono.just(Signal.WATCHING);
                        }
                        return previous.equals(fingerprint) ? Mono.<Signal>empty() : Mono.just(Signal.CHANGED);
                    });
        });
    }

    /** The fingerprint of the database's tables now. */
    Mono<String> fingerprint() {
        return connections.withConnection(c -> Flux.from(c.createStatement(FINGERPRINT_SQL).execute())
                        .flatMap(r -> r.map((row, meta) -> Objects.requireNonNullElse(row.get("fingerprint", String.class), "")))
                        .next())
                .onErrorMap(e -> PgErrors.describe(e, config, "reading the table statistics"));
    }

    // ----------------------------------------------------------------------------------------------------- close

    @Override
    public Mono<Void> close() {
        return connections.close();
    }

    /** The pool, when created: for tests. */
    Optional<ConnectionPool> currentPool() {
        return connections.currentPool();
    }
}
