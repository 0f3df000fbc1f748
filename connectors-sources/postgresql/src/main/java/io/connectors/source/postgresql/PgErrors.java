package io.connectors.source.postgresql;

import io.connectors.source.sql.SqlFailures;
import io.connectors.spi.SourceException;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.network.NetworkPolicyException;
import io.connectors.spi.support.Failures;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcPermissionDeniedException;
import java.util.Set;

/**
 * Turns driver exceptions into {@link SourceException}s whose messages say what went wrong in the user's terms (host,
 * database, table, user, PostgreSQL's own message and SQLSTATE), never with the password; and tells which failures
 * are a lost connection, worth retrying from the last row read.
 */
final class PgErrors {
    /** admin_shutdown (pg_terminate_backend, a fast shutdown), crash_shutdown, cannot_connect_now (starting up). */
    private static final Set<String> SERVER_ENDS = Set.of("57P01", "57P02", "57P03");

    private PgErrors() {
    }

    /**
     * Whether {@code e} means the connection was lost or could not be had for a while (server restart, terminated
     * backend, network, pool exhausted by dead connections): the query may succeed again on a new connection.
     */
    static boolean isConnectionLoss(Throwable e) {
        return SqlFailures.isConnectionLoss(e, r2dbc -> SERVER_ENDS.contains(r2dbc.getSqlState()));
    }

    /** A source exception for {@code e}, raised while doing {@code what} ("reading table shop.orders"). */
    static RuntimeException describe(Throwable e, PgConfig config, String what) {
        NetworkPolicyException refused = Failures.find(e, NetworkPolicyException.class);
        if (refused != null) {
            // The pool may wrap it; its message already names the field, the host, the address and the rule.
            return refused;
        }
        if (e instanceof SourceException || e instanceof ConfigValidationException) {
            return (RuntimeException) e;
        }
        String where = " (" + config.where() + ")";
        R2dbcException r2dbc = Failures.find(e, R2dbcException.class);
        // Settings that are wrong, not a server that is down: said on the field to fix, not retried.
        if (r2dbc != null && "3D000".equals(r2dbc.getSqlState())) {
            return new ConfigValidationException(PgConfig.DATABASE, "database '" + config.database()
                    + "' does not exist on " + config.host() + ":" + config.port() + " (3D000)");
        }
        if (r2dbc != null && "28P01".equals(r2dbc.getSqlState())) {
            return new ConfigValidationException(PgConfig.PASSWORD, "PostgreSQL refused the password of user '"
                    + config.user() + "' on " + config.host() + ":" + config.port() + " (28P01)");
        }
        if (r2dbc instanceof R2dbcPermissionDeniedException || (r2dbc != null && "28000".equals(r2dbc.getSqlState()))) {
            return new SourceException("PostgreSQL refused user '" + config.user() + "' while " + what + where + ": "
                    + scrub(r2dbc.getMessage(), config) + " (" + r2dbc.getSqlState() + ")", null, false);
        }
        if (isConnectionLoss(e)) {
            return SqlFailures.connectionLost(e, "PostgreSQL", what, where, config.connectTimeout(), m -> scrub(m, config));
        }
        if (r2dbc != null) {
            String state = r2dbc.getSqlState() == null ? "" : " (" + r2dbc.getSqlState() + ")";
            return new SourceException("PostgreSQL failed while " + what + where + ": " + scrub(r2dbc.getMessage(), config)
                    + state, null, false);
        }
        return new SourceException("failed while " + what + where + ": " + scrub(String.valueOf(e), config), null, false);
    }


    /** Removes the password from a message, should a driver ever quote it. */
    static String scrub(String message, PgConfig config) {
        return Failures.scrub(message, config.password());
    }
}
