package io.connectors.source.mysql;

import io.connectors.source.sql.SqlFailures;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.SourceException;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.network.NetworkPolicyException;
import io.connectors.spi.support.Failures;
import io.r2dbc.spi.R2dbcException;
import java.util.Set;

/**
 * Turns driver exceptions into {@link SourceException}s whose messages say what went wrong in the user's terms (host,
 * database, table, user, the server's own message and error code), never with the password; and tells which failures
 * are a lost connection, worth retrying from the last row read.
 */
final class MysqlErrors {
    /** ER_ACCESS_DENIED_ERROR: wrong user or password. */
    static final int ACCESS_DENIED = 1045;
    /** ER_BAD_DB_ERROR: no such database. */
    static final int UNKNOWN_DATABASE = 1049;
    /**
     * Server and connection ends worth a retry on a new connection: ER_SERVER_SHUTDOWN (1053), ER_QUERY_INTERRUPTED
     * (1317, KILL QUERY), ER_CONNECTION_KILLED (1927, MariaDB's KILL), CR_SERVER_GONE_ERROR (2006), CR_SERVER_LOST
     * (2013), ER_CLIENT_INTERACTION_TIMEOUT (4031, MySQL 8's wait_timeout) and ER_LOCK_DEADLOCK / ER_LOCK_WAIT_TIMEOUT
     * (1213, 1205), which a read in a read-only transaction meets only against DDL.
     */
    private static final Set<Integer> RETRYABLE = Set.of(1053, 1317, 1927, 2006, 2013, 4031, 1213, 1205);

    private MysqlErrors() {
    }

    /**
     * Whether {@code e} means the connection was lost or could not be had for a while (server restart, KILL, network,
     * pool exhausted by dead connections): the query may succeed again on a new connection.
     */
    static boolean isConnectionLoss(Throwable e) {
        return SqlFailures.isConnectionLoss(e, r2dbc -> RETRYABLE.contains(r2dbc.getErrorCode()));
    }

    /** A source exception for {@code e}, raised while doing {@code what} ("reading table shop.orders"). */
    static RuntimeException describe(Throwable e, MysqlConfig config, String what) {
        NetworkPolicyException refused = Failures.find(e, NetworkPolicyException.class);
        if (refused != null) {
            return refused;
        }
        if (e instanceof SourceException || e instanceof ConfigValidationException || e instanceof CursorExpiredException) {
            return (RuntimeException) e;
        }
        String where = " (" + config.where() + ")";
        R2dbcException r2dbc = Failures.find(e, R2dbcException.class);
        if (r2dbc != null && r2dbc.getErrorCode() == UNKNOWN_DATABASE) {
            return new ConfigValidationException(MysqlConfig.DATABASE, "database '" + config.database()
                    + "' does not exist on " + config.host() + ":" + config.port() + " (" + UNKNOWN_DATABASE + ")");
        }
        if (r2dbc != null && r2dbc.getErrorCode() == ACCESS_DENIED) {
            return new ConfigValidationException(MysqlConfig.PASSWORD, "the server refused user '" + config.user()
                    + "' with this password on " + config.host() + ":" + config.port() + " (" + ACCESS_DENIED + ")");
        }
        if (isConnectionLoss(e)) {
            return SqlFailures.connectionLost(e, "MySQL", what, where, config.connectTimeout(), m -> scrub(m, config));
        }
        if (r2dbc != null) {
            return new SourceException("MySQL failed while " + what + where + ": " + scrub(r2dbc.getMessage(), config)
                    + " (" + r2dbc.getErrorCode() + (r2dbc.getSqlState() == null ? "" : ", " + r2dbc.getSqlState()) + ")",
                    null, false);
        }
        return new SourceException("failed while " + what + where + ": " + scrub(String.valueOf(e), config), null, false);
    }


    /** Removes the password from a message, should a driver ever quote it; one line. */
    static String scrub(String message, MysqlConfig config) {
        return Failures.scrub(message, config.password());
    }
}
