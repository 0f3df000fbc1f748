package io.connectors.source.mysql;

import io.connectors.spi.BaseDataSource;
import io.connectors.spi.ChangeEvent;
import io.connectors.spi.ChangeWatchingSource;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.DeferredSource;
import io.connectors.spi.RealtimeSource;
import io.connectors.spi.MappingContributor;
import io.connectors.spi.SchemaDiscoverySource;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
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
import io.connectors.source.sql.CursorReads;
import io.connectors.source.sql.KeysetReads;
import io.connectors.source.sql.SqlConnections;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A MySQL or MariaDB database's tables and views (or the queries of its advanced rules), read over a pool of R2DBC
 * connections.
 *
 * <ul>
 *   <li>Full syncs read each table in pages of {@code fetch_size} rows ordered by its key, each page starting after the
 *       last key read (keyset pagination, {@link MysqlQueries}), one query per page on a pooled connection, fetched
 *       when the runtime asks for more.</li>
 *   <li>A table's pages list only keys and row versions (the server's hash of the row's values), as deferred
 *       documents; {@link #fetch} reads the rows the runtime found new or changed, by key, one query per batch. The
 *       queries of advanced rules are read whole, with the same versions.</li>
 *   <li>A query that loses its connection (server restart, {@code KILL}, network) is retried with back-off from the
 *       last row read: nothing is read twice and nothing is skipped.</li>
 *   <li>Incremental syncs read the rows whose {@code cursor_column} passed the saved position, with a checkpoint
 *       after every page.</li>
 *   <li>Values become fields through {@link MysqlTypes}, which also derives the index mapping from the column
 *       types.</li>
 *   <li>The change watch reads the server's binlog position, so a scheduled sync of an unchanged server is
 *       skipped.</li>
 *   <li>In real-time mode ({@link SourceContext#realtime}) the cursor is a binlog position: a full sync takes the
 *       server's current one before it reads; then {@link #followChanges} reads the binlog from the saved position
 *       ({@link MysqlBinlog}): each row a transaction wrote becomes an upsert of a deferred document, built by
 *       {@link #fetch} by key as a full sync builds it (or a delete), and each commit a checkpoint. Changes made while
 *       the full sync read are read again after it, and converge.</li>
 * </ul>
 * Sessions are read-only ({@code SET SESSION TRANSACTION READ ONLY}) and in UTC. One pool per instance, created on
 * first use, closed once no read is in progress and by {@link #close()}.
 */
final class MysqlDataSource implements BaseDataSource, DeferredSource, RealtimeSource, AdvancedRulesValidator,
        SchemaDiscoverySource, MappingContributor, ChangeWatchingSource, SplittableSource {
    private static final Logger LOG = LoggerFactory.getLogger(MysqlDataSource.class);
    private static final String FROM_LAST_ROW = "from the last row read";
    /** Set on every connection the source opens: reads only, even through a function that would write. */
    static final String READ_ONLY = "SET SESSION TRANSACTION READ ONLY";

    private final MysqlConfig config;
    private final SourceContext context;
    private final MysqlCatalog catalog;
    /** The pool, behind the network policy and the read-only session of every new connection. */
    private final SqlConnections connections;
    private final AtomicReference<Mono<List<MysqlTarget>>> tables = new AtomicReference<>();
    private final AtomicReference<Plan> lastPlan = new AtomicReference<>();
    /** Why tables were left out, as the last resolution of the configured tables found. */
    private final AtomicReference<List<String>> skippedTables = new AtomicReference<>(List.of());
    private final Map<MysqlTarget, MysqlTypes> conversions = new ConcurrentHashMap<>();
    private final Map<MysqlTarget, String> fingerprints = new ConcurrentHashMap<>();

    private record Plan(Map<String, Object> advanced, Mono<List<MysqlTarget>> targets) {
    }

    /**
     * The state of a deferred document: where its row is. Small: the target is shared by all the rows of a read.
     *
     * @param target the table it was listed from
     * @param key    its key values, as text
     */
    record Listed(MysqlTarget target, List<String> key) {
        Listed {
            key = List.copyOf(key);
        }
    }

    /** A row of a page: its values (whole reads only), key values as text, version, cursor value (if read). */
    record Row(Object[] values, List<String> key, String version, String cursor) {
    }

    MysqlDataSource(MysqlConfig config, SourceContext context) {
        this.config = config;
        this.context = context;
        this.catalog = new MysqlCatalog(config);
        this.connections = new SqlConnections("MySQL", context.connectorId(), config.pool(),
                checked(config.connectionFactory(), context.network(), config), m -> MysqlErrors.scrub(m, config));
    }

    /**
     * {@code factory}, whose connections are opened only once {@code policy} allowed the host (checked for each new
     * connection, so a name that now resolves elsewhere is checked again), and are made read-only before use.
     */
    static ConnectionFactory checked(ConnectionFactory factory, NetworkPolicy policy, MysqlConfig config) {
        return SqlConnections.checked(factory, policy, MysqlConfig.HOST, config.host(), config.port(),
                c -> Flux.from(c.createStatement(READ_ONLY).execute()).flatMap(r -> r.getRowsUpdated()).then());
    }

    // ------------------------------------------------------------------------------------------------ connections

    @Override
    public Mono<Void> ping() {
        return connections.withConnection(c -> MysqlCatalog.rows(c, "SELECT 1 AS one", row -> 1).then())
                .timeout(config.connectTimeout().multipliedBy(2))
                .onErrorMap(e -> MysqlErrors.describe(e, config, "connecting"));
    }

    @Override
    public Mono<Void> validateConfig() {
        return tables()
                .flatMap(targets -> {
                    List<FieldError> errors = new ArrayList<>();
                    config.cursorColumn().ifPresent(column -> targets.stream()
                            .filter(t -> t.column(column).isEmpty())
                            .forEach(t -> errors.add(new FieldError(MysqlConfig.CURSOR_COLUMN, "table " + t.name()
                                    + " has no column '" + column + "'"))));
                    return moreProblems(targets).flatMap(more -> {
                        errors.addAll(more);
                        return errors.isEmpty() ? Mono.<Void>empty() : Mono.error(new ConfigValidationException(errors));
                    });
                })
                .onErrorMap(e -> !(e instanceof ConfigValidationException),
                        e -> MysqlErrors.describe(e, config, "reading the catalog"));
    }

    /** In real-time mode: what keeps the binlog from being followed (settings of the server, views, queries). */
    private Mono<List<FieldError>> moreProblems(List<MysqlTarget> targets) {
        if (!context.realtime()) {
            return Mono.just(List.of());
        }
        return followable(targets).then(connections.withConnection(c -> MysqlCatalog.rows(c, "SELECT @@global.log_bin AS b,"
                + " @@global.binlog_format AS f, @@global.binlog_row_image AS i", row -> List.of(
                String.valueOf(row.get("b")), String.valueOf(row.get("f")), String.valueOf(row.get("i")))).next())).flatMap(settings -> {
                    if (!List.of("1", "ON").contains(settings.get(0).toUpperCase(java.util.Locale.ROOT))) {
                        return Mono.error(new SourceException("real-time mode reads the binlog, which " + config.where()
                                + " does not write (log_bin is off): start the server with log_bin and"
                                + " binlog_format=ROW, or set realtime: false", null, false));
                    }
                    if (!"ROW".equalsIgnoreCase(settings.get(1))) {
                        return Mono.error(new SourceException("real-time mode needs binlog_format = ROW on "
                                + config.where() + " (it is " + settings.get(1) + "): SET GLOBAL binlog_format = 'ROW'"
                                + " and in the server's configuration, or set realtime: false", null, false));
                    }
                    if ("MINIMAL".equalsIgnoreCase(settings.get(2))) {
                        return Mono.error(new SourceException("real-time mode needs binlog_row_image = FULL (or NOBLOB)"
                                + " on " + config.where() + ": a MINIMAL image leaves the key out of updates", null,
                                false));
                    }
                    return Mono.just(List.<FieldError>of());
                });
    }

    /** The configured tables that are left out, and why (no key): what a sync only logs, for {@code config check}. */
    @Override
    public Mono<List<String>> configWarnings() {
        return tables().map(targets -> skippedTables.get().stream().map(reason -> "skipped: " + reason).toList())
                .onErrorMap(e -> !(e instanceof ConfigValidationException), e -> MysqlErrors.describe(e, config, "reading the catalog"));
    }

    /** The configured tables, resolved once (errors are not cached: a later call tries again). */
    private Mono<List<MysqlTarget>> tables() {
        Mono<List<MysqlTarget>> known = tables.get();
        if (known != null) {
            return known;
        }
        Mono<List<MysqlTarget>> resolving = connections.withConnection(catalog::resolve)
                .flatMap(resolution -> {
                    if (!resolution.errors().isEmpty()) {
                        return Mono.<List<MysqlTarget>>error(new ConfigValidationException(resolution.errors()));
                    }
                    if (resolution.targets().isEmpty() && !resolution.skipped().isEmpty()) {
                        return Mono.<List<MysqlTarget>>error(new ConfigValidationException(MysqlConfig.KEY_COLUMNS,
                                "no table can be synced: " + String.join("; ", resolution.skipped())));
                    }
                    skippedTables.set(List.copyOf(resolution.skipped()));
                    resolution.skipped().forEach(reason -> LOG.warn("Connector {}: skipped: {}", context.connectorId(),
                            reason));
                    return Mono.just(resolution.targets());
                })
                .cacheInvalidateIf(list -> false)
                .doOnError(e -> tables.set(null));
        return tables.compareAndSet(null, resolving) ? resolving : tables.get();
    }

    /** What a sync with these rules reads: the rules' queries, else the configured tables. */
    private Mono<List<MysqlTarget>> plan(SyncRules rules) {
        Map<String, Object> advanced = rules.advanced();
        Plan last = lastPlan.get();
        if (last != null && last.advanced().equals(advanced)) {
            return last.targets();
        }
        Mono<List<MysqlTarget>> targets = advanced.isEmpty() ? tables()
                : connections.withOwnConnection(c -> queries(c, advanced)).cache();
        lastPlan.set(new Plan(advanced, targets));
        return targets;
    }

    /** The targets of the last plan, or the configured tables. */
    private Mono<List<MysqlTarget>> lastTargets() {
        Plan last = lastPlan.get();
        return last != null ? last.targets() : tables();
    }

    private Mono<List<MysqlTarget>> queries(Connection c, Map<String, Object> advanced) {
        MysqlRules parsed;
        try {
            parsed = MysqlRules.parse(advanced);
        } catch (IllegalArgumentException e) {
            return Mono.error(new SourceException("invalid advanced rules: " + e.getMessage(), null, false));
        }
        return parsed.resolve(c, table -> primaryKey(c, table))
                .onErrorMap(IllegalArgumentException.class, e -> new SourceException("invalid advanced rules: "
                        + e.getMessage(), null, false));
    }

    private Mono<List<String>> primaryKey(Connection c, String table) {
        int dot = table.indexOf('.');
        String schema = dot > 0 ? table.substring(0, dot) : config.database();
        return catalog.primaryKey(c, schema, dot > 0 ? table.substring(dot + 1) : table);
    }

    @Override
    public Mono<List<String>> validateAdvancedRules(Map<String, Object> advanced) {
        return Mono.defer(() -> {
            List<String> problems = MysqlRules.problems(advanced);
            if (!problems.isEmpty()) {
                return Mono.just(problems);
            }
            MysqlRules parsed = MysqlRules.parse(advanced);
            return connections.withOwnConnection(c -> parsed.check(c, table -> primaryKey(c, table)));
        }).onErrorMap(e -> MysqlErrors.describe(e, config, "checking the advanced rules"));
    }

    // ------------------------------------------------------------------------------------------------- full sync

    @Override
    public Flux<SourceDocument> getDocs(SyncRules rules) {
        return connections.reading(plan(rules)
                .flatMapMany(targets -> Flux.fromIterable(targets).concatMap(this::pages, 0))
                .onErrorMap(e -> MysqlErrors.describe(e, config, "reading the tables")));
    }

    /** Every row of a target, page after page ({@link KeysetReads#pages}). */
    private Flux<SourceDocument> pages(MysqlTarget target) {
        return KeysetReads.pages(keyed(target), (after, overlapping, limit) -> query(target,
                MysqlQueries.page(target, after != null, overlapping, limit), after(target, after),
                "reading " + target.name(), FROM_LAST_ROW), config.fetchSize());
    }

    /** A target as the keyset walk sees it. */
    private KeysetReads.Table<Row> keyed(MysqlTarget target) {
        return new KeysetReads.Table<>(target.name(), target.key().stream().map(MysqlColumn::name).toList(),
                target.uniqueKey(), Row::key, row -> document(target, row));
    }

    // ------------------------------------------------------------------------------------------------ splits

    @Override
    public Mono<List<SourceSplit>> planSplits(SyncRules rules) {
        return plan(rules)
                .flatMap(targets -> connections.withConnection(c -> Flux.fromIterable(targets)
                        .concatMap(t -> MysqlSplits.plan(c, t, config.splitRows()))
                        .concatMapIterable(l -> l)
                        .collectList()))
                .doOnNext(splits -> LOG.info("Connector {}: planned {} split(s) of at most about {} rows",
                        context.connectorId(), splits.size(), config.splitRows()))
                .onErrorMap(e -> MysqlErrors.describe(e, config, "planning the splits"));
    }

    /** A split's rows page after page, with the position after each ({@link KeysetReads#split}). */
    @Override
    public Flux<SplitEvent> readSplit(SourceSplit split, SplitPosition from, SyncRules rules) {
        return connections.reading(plan(rules).flatMapMany(targets -> {
            MysqlTarget target = KeysetReads.table(split, targets, MysqlTarget::name);
            MysqlColumn first = target.key().get(0);
            return KeysetReads.split(split, from, keyed(target),
                    (after, overlapping, limit) -> query(target, MysqlQueries.page(target, after != null, overlapping,
                            limit), after(target, after), "reading " + target.name(), FROM_LAST_ROW),
                    (lower, upper, after, limit) -> query(target, MysqlQueries.page(target, lower != null,
                                    upper != null, after != null, false, limit),
                            (slot, keyed) -> slot == MysqlQueries.LOWER ? first.keyValue(lower)
                                    : slot == MysqlQueries.UPPER ? first.keyValue(upper)
                                    : target.key().get(slot).keyValue(after.get(slot)),
                            "reading " + target.name(), FROM_LAST_ROW),
                    config.fetchSize());
        }).onErrorMap(e -> MysqlErrors.describe(e, config, "reading split " + split.id())));
    }

    /**
     * Runs one query and collects its rows, retrying it when the connection was lost. A page's query starts from the
     * last row already emitted, so a retry neither repeats nor skips a row; a fetch emits nothing before its query
     * completes, so a retry repeats nothing.
     *
     * @param values the values of its parameters by slot: key columns (the key to continue after, or for a fetch every
     *               key's values in turn), the cursor ({@link MysqlQueries#CURSOR}) and overlap
     *               ({@link MysqlQueries#OVERLAP}), a split's bounds ({@link MysqlQueries#LOWER}, {@link MysqlQueries#UPPER})
     */
    private Mono<List<Row>> query(MysqlTarget target, MysqlQueries.Sql sql, ParameterValues values, String what,
                                  String retrying) {
        MysqlTypes types = conversions.computeIfAbsent(target, t -> MysqlTypes.of(t.columns()));
        return connections.withConnection(c -> {
            Statement statement = c.createStatement(sql.sql());
            int keyed = 0;
            for (int i = 0; i < sql.keyParameters().size(); i++) {
                int slot = sql.keyParameters().get(i);
                statement.bind(i, values.value(slot, keyed));
                if (slot >= 0) {
                    keyed++;
                }
            }
            return Flux.from(statement.execute())
                    .flatMap(result -> result.map((row, meta) -> read(row, meta, target, types)))
                    .collectList();
        }).retryWhen(connections.retry(MysqlErrors::isConnectionLoss, what, retrying))
                .onErrorMap(e -> MysqlErrors.describe(e, config, what));
    }

    /** The key values of {@code after} as a page's parameters (null: a first page, which has none). */
    private static ParameterValues after(MysqlTarget target, List<String> after) {
        return (slot, keyed) -> target.key().get(slot).keyValue(after.get(slot));
    }

    /** The values of a query's parameters, by slot; {@code keyed} counts the key parameters bound before. */
    @FunctionalInterface
    private interface ParameterValues {
        Object value(int slot, int keyed);
    }

    private static Row read(io.r2dbc.spi.Row row, io.r2dbc.spi.RowMetadata meta, MysqlTarget target, MysqlTypes types) {
        List<String> key = new ArrayList<>(target.key().size());
        for (int i = 0; i < target.key().size(); i++) {
            key.add(row.get("k" + i, String.class));
        }
        Object[] values = null;
        if (meta.contains("c0")) {
            values = new Object[target.columns().size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = types.binary(i) ? row.get("c" + i, byte[].class) : row.get("c" + i, String.class);
            }
        }
        return new Row(values, List.copyOf(key), row.get("v", String.class),
                meta.contains("cur") ? row.get("cur", String.class) : null);
    }

    /** A row's document: deferred for a listed row, built for a row read whole. */
    private SourceDocument document(MysqlTarget target, Row row) {
        String id = MysqlQueries.id(target.name(), row.key());
        String version = MysqlQueries.version(row.version(), fingerprints.computeIfAbsent(target,
                MysqlQueries::fingerprint));
        if (row.values() == null) {
            return SourceDocument.deferred(id, version, new Listed(target, row.key()));
        }
        Map<String, Object> fields;
        try {
            fields = conversions.computeIfAbsent(target, t -> MysqlTypes.of(t.columns())).document(row.values());
        } catch (IllegalArgumentException e) {
            throw new SourceException(target.name() + " row " + KeysetReads.sample(row.key()) + ": " + e.getMessage(), e, false);
        }
        return SourceDocument.builder(id)
                .version(version)
                .fields(fields)
                .field(MysqlTypes.TABLE_FIELD, target.name())
                .build();
    }

    // ---------------------------------------------------------------------------------------- deferred documents

    /**
     * Reads the rows of {@code deferred}, grouped by table, in queries of at most {@code fetch_size} keys, one after
     * the other; each query is retried like a page when its connection is lost. A row deleted since it was listed is
     * not found, so not emitted.
     */
    @Override
    public Flux<SourceDocument> fetch(List<SourceDocument> deferred) {
        return connections.reading(KeysetReads.fetch(deferred, Listed.class, Listed::target, config.fetchSize(),
                        this::rows, "the MySQL source of connector " + context.connectorId()))
                .onErrorMap(e -> MysqlErrors.describe(e, config, "reading changed rows"));
    }

    /** The documents of the rows of one table with these keys; at most one per key. */
    private Flux<SourceDocument> rows(MysqlTarget target, List<Listed> listed) {
        int keySize = target.key().size();
        ParameterValues values = (slot, keyed) -> target.key().get(slot)
                .keyValue(listed.get(keyed / keySize).key().get(slot));
        return KeysetReads.asked(listed.stream().map(l -> MysqlQueries.id(target.name(), l.key())).toList(),
                query(target, MysqlQueries.byKey(target, listed.size()), values,
                        "reading changed rows of " + target.name(), "the same keys")
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
            return Mono.empty();
        }
        return Mono.defer(() -> {
            String column = cursorColumn();
            return CursorReads.current(column, lastTargets(), MysqlTarget::name, t -> max(t, column));
        }).onErrorMap(e -> MysqlErrors.describe(e, config, "reading the cursor column's position"));
    }

    private Mono<Optional<String>> max(MysqlTarget target, String column) {
        MysqlColumn c = target.column(column).orElseThrow(() -> new SourceException(target.name() + " has no column '"
                + column + "' (cursor_column)", null, false));
        return connections.withConnection(conn -> MysqlCatalog.rows(conn, MysqlQueries.max(target, c),
                row -> Optional.ofNullable(row.get("m", String.class))).next());
    }

    @Override
    public Flux<ChangeEvent> getDocsIncrementally(SyncCursor cursor, SyncRules rules) {
        if (context.realtime()) {
            return Flux.error(CursorReads.realtimeOnly(context.connectorId()));
        }
        return connections.reading(Flux.defer(() -> {
            String column = cursorColumn();
            return CursorReads.changes(cursor, column, plan(rules), MysqlTarget::name,
                    t -> t.column(column).isPresent(),
                    (t, from, positions) -> changes(t, t.column(column).orElseThrow(), from, positions));
        }).onErrorMap(e -> MysqlErrors.describe(e, config, "reading the changed rows")));
    }

    /**
     * The rows of a target whose cursor column passed {@code from} (by at least {@code cursor_overlap} before it, for a
     * date or time column), page by page, each page followed by a checkpoint.
     */
    private Flux<ChangeEvent> changes(MysqlTarget target, MysqlColumn column, String from, Map<String, Object> positions) {
        boolean overlaps = isTime(column) && !config.cursorOverlap().isZero();
        long overlap = config.cursorOverlap().toNanos() / 1000;
        String what = "reading the changes of " + target.name();
        return CursorReads.pages(target.name(), column.name(), (after, limit) -> after == null
                        ? query(target, MysqlQueries.changesPage(target, column, from != null, overlaps, false, limit),
                                (slot, keyed) -> slot == MysqlQueries.CURSOR ? from : overlap, what, FROM_LAST_ROW)
                        : query(target, MysqlQueries.changesPage(target, column, true, false, true, limit),
                                (slot, keyed) -> slot == MysqlQueries.CURSOR ? after.cursor()
                                        : target.key().get(slot).keyValue(after.key().get(slot)), what, FROM_LAST_ROW),
                Row::cursor, row -> document(target, row), positions, config.fetchSize());
    }

    private static boolean isTime(MysqlColumn column) {
        return switch (column.kind()) {
            case DATE, DATETIME, TIMESTAMP -> true;
            default -> false;
        };
    }

    private String cursorColumn() {
        return config.cursorColumn().orElseThrow(() -> CursorReads.noCursorColumn(context.connectorId()));
    }

    // ----------------------------------------------------------------------------------------------- real time

    /** The cursor key of real-time mode: the binlog position to resume from, {@code file:offset}. */
    static final String BINLOG = "binlog";

    /** Real-time mode's cursor, taken before a full sync reads: the server's current binlog position. */
    private Mono<SyncCursor> followCursor() {
        return lastTargets().flatMap(targets -> followable(targets).then(connections.withConnection(MysqlBinlog::current)))
                .flatMap(position -> position.isPresent() ? Mono.just(binlogCursor(position.get()))
                        : Mono.error(new SourceException("real-time mode reads the binlog, which " + config.where()
                        + " does not write (log_bin is off): start the server with log_bin and binlog_format=ROW, or"
                        + " set realtime: false", null, false)))
                .doOnNext(cursor -> LOG.info("Connector {}: binlog at {}; the changes from there are followed after the"
                        + " full sync", context.connectorId(), cursor.values().get(BINLOG)))
                .onErrorMap(e -> MysqlErrors.describe(e, config, "reading the binlog position"));
    }

    private static SyncCursor binlogCursor(BinlogPosition position) {
        return new SyncCursor(Map.of(BINLOG, position.toString()));
    }

    /** Queries and views cannot be followed: the binlog carries the rows of base tables only. */
    private static Mono<Void> followable(List<MysqlTarget> targets) {
        List<String> others = targets.stream().filter(t -> !t.baseTable()).map(MysqlTarget::name).toList();
        return others.isEmpty() ? Mono.empty() : Mono.error(new SourceException("real-time mode follows base tables,"
                + " whose rows the binlog carries; not views or the queries of advanced rules (" + String.join(", ", others)
                + "): leave them out, or set realtime: false", null, false));
    }

    @Override
    public Flux<ChangeEvent> followChanges(SyncCursor cursor, SyncRules rules) {
        return connections.reading(Flux.defer(() -> {
            BinlogPosition from;
            try {
                from = BinlogPosition.parse(String.valueOf(cursor.values().get(BINLOG)));
            } catch (RuntimeException e) {
                return Flux.error(new CursorExpiredException("the saved cursor is not a binlog position (it was saved"
                        + " before real-time mode was turned on)"));
            }
            return plan(rules).flatMapMany(targets -> followable(targets)
                    .then(context.network().check(MysqlConfig.HOST, config.host(), config.port()))
                    .thenMany(Flux.defer(() -> follow(targets, from))));
        }).onErrorMap(e -> MysqlErrors.describe(e, config, "following the binlog")));
    }

    /** The binlog's events after {@code from} as change events, until cancelled or failed. */
    private Flux<ChangeEvent> follow(List<MysqlTarget> targets, BinlogPosition from) {
        Map<String, MysqlTarget> byTable = new java.util.HashMap<>();
        List<FollowedTable> followed = new ArrayList<>();
        for (MysqlTarget t : targets) {
            byTable.put(t.schema().orElseThrow() + "." + t.table().orElseThrow(), t);
            followed.add(new FollowedTable(t.schema().orElseThrow(), t.table().orElseThrow(), t.key().stream()
                    .map(k -> new KeyColumn(k.name(), k.ordinal(), k.dataType(), k.columnType(), k.charset())).toList(),
                    t.columns().size()));
        }
        MysqlBinlog binlog = new MysqlBinlog(config.host(), config.port(), config.user(), config.password().orElse(null),
                config.serverId(context.connectorId()), config.sslMode(), config.sslCa(), config.connectTimeout());
        java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();
        LOG.info("Connector {}: following the binlog of {} from {} (server id {})", context.connectorId(),
                config.where(), from, config.serverId(context.connectorId()));
        return binlog.follow(from, followed, config.binlogIdleInterval())
                .concatMapIterable(event -> events(event, byTable, from, changes));
    }

    /**
     * A binlog event's change events: each row's upsert of a deferred document (its version unique, so that the
     * runtime builds it: the binlog does not give the row's version as a full sync lists it), a delete for a deleted
     * row or the old key of an updated one, a checkpoint for a commit or an idle position.
     */
    private static List<ChangeEvent> events(BinlogEvent event, Map<String, MysqlTarget> byTable, BinlogPosition from,
                                            java.util.concurrent.atomic.AtomicLong changes) {
        if (event instanceof BinlogEvent.Commit commit) {
            return List.of(new ChangeEvent.Checkpoint(binlogCursor(commit.next())));
        }
        if (event instanceof BinlogEvent.Idle idle) {
            return List.of(new ChangeEvent.Checkpoint(binlogCursor(idle.next())));
        }
        BinlogEvent.Rows rows = (BinlogEvent.Rows) event;
        MysqlTarget target = byTable.get(rows.schema() + "." + rows.table());
        if (target == null) {
            return List.of();
        }
        List<ChangeEvent> out = new ArrayList<>();
        for (int i = 0; i < rows.keys().size(); i++) {
            List<String> key = rows.keys().get(i);
            if (key.contains(null)) {
                // A configured key column of a table without one may be NULL: the full sync does not read such rows.
                continue;
            }
            String id = MysqlQueries.id(target.name(), key);
            if (rows.kind() == BinlogEvent.Kind.DELETE) {
                out.add(new ChangeEvent.Delete(id));
                continue;
            }
            if (rows.kind() == BinlogEvent.Kind.UPDATE && i < rows.oldKeys().size()) {
                List<String> old = rows.oldKeys().get(i);
                if (!old.equals(key) && !old.contains(null)) {
                    out.add(new ChangeEvent.Delete(MysqlQueries.id(target.name(), old)));
                }
            }
            out.add(new ChangeEvent.Upsert(SourceDocument.deferred(id, "binlog:" + from + "#" + changes.incrementAndGet(),
                    new Listed(target, key))));
        }
        return out;
    }

    // ------------------------------------------------------------------------------------ schema, mapping, watch

    @Override
    public Mono<SourceSchema> discoverSchema() {
        return tables().map(targets -> new SourceSchema(targets.stream().map(t -> {
                    Map<String, String> fields = new LinkedHashMap<>();
                    t.columns().forEach(c -> fields.put(c.name(), c.columnType()));
                    return new Collection(t.name(), fields, t.estimatedRows());
                }).toList()))
                .onErrorMap(e -> !(e instanceof ConfigValidationException),
                        e -> MysqlErrors.describe(e, config, "reading the catalog"));
    }

    @Override
    public Map<String, Object> mappingProperties() {
        return Map.of(MysqlTypes.TABLE_FIELD, Map.of("type", "keyword"));
    }

    @Override
    public Mono<Map<String, Object>> mappingProperties(SyncRules rules) {
        return plan(rules).map(MysqlTypes::merged)
                .onErrorMap(e -> !(e instanceof ConfigValidationException),
                        e -> MysqlErrors.describe(e, config, "reading the catalog"));
    }

    /**
     * Polls the server's binlog position: equal positions, no write was logged in between. A server without the
     * binlog has no such signal: the watch then never says WATCHING, so no scheduled sync is skipped.
     */
    @Override
    public Flux<Signal> watchChanges() {
        if (!config.watchChanges()) {
            return Flux.never();
        }
        return Flux.defer(() -> {
            AtomicReference<String> last = new AtomicReference<>();
            return Flux.interval(Duration.ZERO, config.watchInterval())
                    .onBackpressureDrop()
                    .concatMap(tick -> binlogPosition(), 1)
                    .concatMap(position -> {
                        if (position.isEmpty()) {
                            LOG.info("Connector {}: the server's binlog is off, so the change watch has no signal; every"
                                    + " scheduled sync runs", context.connectorId());
                            return Mono.<Signal>never();
                        }
                        String previous = last.getAndSet(position.get());
                        if (previous == null) {
                            return Mono.just(Signal.WATCHING);
                        }
                        return previous.equals(position.get()) ? Mono.<Signal>empty() : Mono.just(Signal.CHANGED);
                    });
        });
    }

    /** The server's binlog position as text ({@code file:offset}), empty when the binlog is off. */
    Mono<Optional<String>> binlogPosition() {
        return connections.withConnection(MysqlBinlog::current).map(position -> position.map(BinlogPosition::toString))
                .onErrorMap(e -> MysqlErrors.describe(e, config, "reading the binlog position"));
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
