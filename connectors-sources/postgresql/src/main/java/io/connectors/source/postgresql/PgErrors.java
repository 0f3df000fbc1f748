package io.connectors.source.postgresql;

import io.connectors.spi.SourceException;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.network.NetworkPolicyException;
import io.connectors.spi.support.Failures;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcPermissionDeniedException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

/**
 * Turns driver exceptions into {@link SourceException}s whose messages say what went wrong in the user's terms (host,
 * database, table, user, PostgreSQL's own message and SQLSTATE), never with the password; and tells which failures
 * are a lost connection, worth retrying from the last row read.
 */
final class PgErrors {
    private PgErrors() {
    }

    /**
     * Whether {@code e} means the connection was lost or could not be had for a while (server restart, terminated
     * backend, network, pool exhausted by dead connections): the query may succeed again on a new connection.
     */
    static boolean isConnectionLoss(Throwable e) {
        if (Failures.find(e, NetworkPolicyException.class) != null) {
            return false;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SourceException || t instanceof ConfigValidationException) {
                return false;
            }
            if (t instanceof R2dbcException r2dbc) {
                String state = r2dbc.getSqlState();
                if (state != null && (state.startsWith("08") // connection exception
                        || state.equals("57P01") // admin_shutdown: pg_terminate_backend, fast shutdown
                        || state.equals("57P02") // crash_shutdown
                        || state.equals("57P03"))) { // cannot_connect_now: starting up
                    return true;
                }
                if (t instanceof R2dbcNonTransientResourceException || t instanceof R2dbcTransientResourceException) {
                    return true;
                }
            }
            if (t instanceof IOException || t instanceof TimeoutException) {
                return true;
            }
            if (t.getClass().getName().contains("ConnectionClosed") || t.getClass().getName().startsWith("io.netty.")) {
                return true;
            }
        }
        return false;
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
        if (r2dbc instanceof R2dbcPermissionDeniedException || (r2dbc != null && "28P01".equals(r2dbc.getSqlState()))
                || (r2dbc != null && "28000".equals(r2dbc.getSqlState()))) {
            return new SourceException("PostgreSQL refused user '" + config.user() + "' while " + what + where + ": "
                    + scrub(r2dbc.getMessage(), config) + " (" + r2dbc.getSqlState() + ")", null, false);
        }
        if (isConnectionLoss(e)) {
            String verb = Failures.find(e, ConnectException.class) != null || Failures.find(e, TimeoutException.class) != null
                    || (r2dbc == null && e.getClass().getName().contains("Connect"))
                    ? "cannot reach PostgreSQL" : "lost the connection to PostgreSQL";
            return new SourceException(verb + " while " + what + where + " (connect timeout "
                    + config.connectTimeout().toSeconds() + "s): " + scrub(Failures.rootMessage(e), config), null, true);
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
