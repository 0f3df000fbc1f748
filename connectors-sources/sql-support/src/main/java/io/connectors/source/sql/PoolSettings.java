package io.connectors.source.sql;

import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.config.SourceConfig;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.ConnectionFactory;
import java.time.Duration;
import java.util.List;

/**
 * How a SQL source connects, pools and paces its queries: the configuration fields every SQL source declares alike
 * ({@link #fields}), their typed values ({@link #from}) and the pool they describe ({@link #pool}).
 *
 * @param initialSize          connections opened when the pool starts
 * @param maxSize              the most connections
 * @param maxIdleTime          an idle connection is closed after this long
 * @param maxLifeTime          a connection older than this is closed and replaced (recycling)
 * @param validationQuery      run on a pooled connection before it is handed out
 * @param connectTimeout       limit of one connection attempt
 * @param maxConcurrentQueries most queries in flight at once ({@code max_concurrent_queries}, 0 read as
 *                             {@code maxSize})
 * @param queriesPerSecond     most queries started per second, 0 for no limit
 * @param retries              how many times a query that lost its connection is retried, from the last row read
 */
public record PoolSettings(
        int initialSize,
        int maxSize,
        Duration maxIdleTime,
        Duration maxLifeTime,
        String validationQuery,
        Duration connectTimeout,
        int maxConcurrentQueries,
        int queriesPerSecond,
        int retries) {

    public static final String POOL_INITIAL_SIZE = "pool_initial_size";
    public static final String POOL_MAX_SIZE = "pool_max_size";
    public static final String POOL_MAX_IDLE_TIME = "pool_max_idle_time";
    public static final String POOL_MAX_LIFE_TIME = "pool_max_life_time";
    public static final String POOL_VALIDATION_QUERY = "pool_validation_query";
    public static final String CONNECT_TIMEOUT = "connect_timeout";
    public static final String MAX_CONCURRENT_QUERIES = "max_concurrent_queries";
    public static final String QUERIES_PER_SECOND = "queries_per_second";
    public static final String RETRIES = "retries";

    public PoolSettings {
        if (initialSize > maxSize) {
            throw new ConfigValidationException(POOL_INITIAL_SIZE, "is " + initialSize + ", more than `pool_max_size` ("
                    + maxSize + ")");
        }
    }

    /**
     * The fields, in the order the configuration reference lists them from {@code firstOrder} on; {@code retries}
     * comes last, at {@code retriesOrder}, since sources list it among their sync settings.
     *
     * @param recycling     said after the life time's description: why recycling matters for this server (proxies,
     *                      its idle timeout)
     * @param connectionEnds what ends a connection on this server, in the retries' description
     */
    public static List<ConfigField> fields(int firstOrder, int retriesOrder, String recycling, String connectionEnds) {
        int order = firstOrder;
        return List.of(
                ConfigField.integer(POOL_INITIAL_SIZE).defaultValue(1L)
                        .validate(ConfigField.between(0, 1_000))
                        .description("Connections opened when the pool starts.")
                        .order(order++),
                ConfigField.integer(POOL_MAX_SIZE).defaultValue(4L)
                        .validate(ConfigField.between(1, 1_000))
                        .description("The most connections the connector holds.")
                        .order(order++),
                ConfigField.duration(POOL_MAX_IDLE_TIME).defaultValue(Duration.ofMinutes(10))
                        .validate(ConfigField.positiveDuration())
                        .description("A pooled connection idle this long is closed.")
                        .order(order++),
                ConfigField.duration(POOL_MAX_LIFE_TIME).defaultValue(Duration.ofMinutes(30))
                        .validate(ConfigField.positiveDuration())
                        .description("A pooled connection older than this is closed and replaced when it is next"
                                + " released, so connections are recycled " + recycling)
                        .order(order++),
                ConfigField.string(POOL_VALIDATION_QUERY).defaultValue("SELECT 1")
                        .validate(ConfigField.notEmpty())
                        .description("Run on a pooled connection before it is handed out; a connection that fails it is"
                                + " replaced.")
                        .order(order++),
                ConfigField.duration(CONNECT_TIMEOUT).defaultValue(Duration.ofSeconds(10))
                        .validate(ConfigField.positiveDuration())
                        .description("The limit of one connection attempt; a ping of an unreachable server fails after"
                                + " this long.")
                        .order(order++),
                ConfigField.integer(MAX_CONCURRENT_QUERIES).defaultValue(0L)
                        .validate(ConfigField.between(0, 1_000))
                        .description("The most queries this connector runs at once; 0 means `pool_max_size`.")
                        .order(order++),
                ConfigField.integer(QUERIES_PER_SECOND).defaultValue(0L)
                        .validate(ConfigField.between(0, 1_000_000))
                        .description("The most queries started per second (each page of `fetch_size` rows is one); 0"
                                + " means no limit.")
                        .order(order),
                ConfigField.integer(RETRIES).defaultValue(5L)
                        .validate(ConfigField.between(0, 100))
                        .description("How many times a query that lost its connection (" + connectionEnds + ") is"
                                + " retried, with back-off, from the last row read, before the sync fails.")
                        .order(retriesOrder));
    }

    /** Reads the typed values of {@link #fields} from a validated configuration; no I/O. */
    public static PoolSettings from(SourceConfig config) {
        int maxSize = (int) config.integer(POOL_MAX_SIZE);
        int concurrent = (int) config.integer(MAX_CONCURRENT_QUERIES);
        return new PoolSettings(
                (int) config.integer(POOL_INITIAL_SIZE),
                maxSize,
                config.duration(POOL_MAX_IDLE_TIME),
                config.duration(POOL_MAX_LIFE_TIME),
                config.string(POOL_VALIDATION_QUERY),
                config.duration(CONNECT_TIMEOUT),
                concurrent == 0 ? maxSize : concurrent,
                (int) config.integer(QUERIES_PER_SECOND),
                (int) config.integer(RETRIES));
    }

    /** A pool over {@code factory}: bounded, validated, recycled by idle and life time. */
    // tag::pool[]
    public ConnectionPool pool(String name, ConnectionFactory factory) {
        return new ConnectionPool(ConnectionPoolConfiguration.builder(factory)
                .name(name)
                .initialSize(initialSize)
                .maxSize(maxSize)
                .maxIdleTime(maxIdleTime)
                .maxLifeTime(maxLifeTime)
                // Idle connections past their idle or life time are closed in the background too, not only when used.
                .backgroundEvictionInterval(evictionInterval())
                .validationQuery(validationQuery)
                .maxCreateConnectionTime(connectTimeout)
                .maxAcquireTime(connectTimeout.multipliedBy(2))
                .acquireRetry(1)
                .build());
    }
    // end::pool[]

    /**
     * How often the pool checks idle connections against their idle and life times: half the shorter, between 1 s and
     * 1 min, so that connections past either are closed in the background too, not only when next used.
     */
    public Duration evictionInterval() {
        Duration shorter = maxIdleTime.compareTo(maxLifeTime) < 0 ? maxIdleTime : maxLifeTime;
        Duration half = shorter.dividedBy(2);
        Duration min = Duration.ofSeconds(1);
        Duration max = Duration.ofMinutes(1);
        return half.compareTo(min) < 0 ? min : half.compareTo(max) > 0 ? max : half;
    }
}
