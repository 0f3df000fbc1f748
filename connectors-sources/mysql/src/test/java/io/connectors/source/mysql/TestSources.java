package io.connectors.source.mysql;

import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceMetrics;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.network.NetworkPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The MySQL sources a test opens on one database of a test server: each configured from the database's settings, the
 * test's own and the call's; all of them closed, and the database dropped, at {@link #close}.
 */
final class TestSources implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final MysqlServer.Database db;
    private final String connectorId;
    private final Map<String, Object> settings;
    private final List<MysqlDataSource> open = new ArrayList<>();

    /**
     * @param connectorId the sources' connector id (a real-time source derives its binlog server id from it)
     * @param settings    what every source of the test is configured with, over the database's settings
     */
    TestSources(MysqlServer.Database db, String connectorId, Map<String, Object> settings) {
        this.db = db;
        this.connectorId = connectorId;
        this.settings = Map.copyOf(settings);
    }

    MysqlServer.Database db() {
        return db;
    }

    /** A source with {@code overrides} over the test's settings. */
    MysqlDataSource open(Map<String, Object> overrides) {
        return open(overrides, false);
    }

    /** A source with {@code overrides} over the test's settings, in real-time mode or not. */
    MysqlDataSource open(Map<String, Object> overrides, boolean realtime) {
        Map<String, Object> raw = new LinkedHashMap<>(db.config());
        raw.putAll(settings);
        raw.putAll(overrides);
        MysqlDataSource source = (MysqlDataSource) new MysqlDataSourceProvider().create(
                SourceConfig.from(MysqlConfig.FIELDS, raw),
                new SourceContext(connectorId, NetworkPolicy.defaults(), false, realtime, SourceMetrics.NONE));
        open.add(source);
        return source;
    }

    @Override
    public void close() {
        open.forEach(s -> s.close().block(WAIT));
        db.close();
    }
}
