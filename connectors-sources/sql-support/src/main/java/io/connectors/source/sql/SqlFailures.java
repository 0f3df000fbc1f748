package io.connectors.source.sql;

import io.connectors.spi.SourceException;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.network.NetworkPolicyException;
import io.connectors.spi.support.Failures;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/** What the SQL sources' failures have in common. */
public final class SqlFailures {
    private SqlFailures() {
    }

    /**
     * Whether {@code e} means the connection was lost or could not be had for a while (server restart, a killed or
     * terminated session, network, pool exhausted by dead connections): the query may succeed again on a new
     * connection. SQLSTATE class 08 (connection exception), the driver's resource exceptions, I/O errors, timeouts and
     * closed channels are; so is a server error that {@code lostByServer} names (its own codes for a shut-down server
     * or a killed session). A refusal of the network policy, a {@link SourceException} and a configuration error are
     * not.
     */
    public static boolean isConnectionLoss(Throwable e, Predicate<R2dbcException> lostByServer) {
        if (Failures.find(e, NetworkPolicyException.class) != null) {
            return false;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SourceException || t instanceof ConfigValidationException) {
                return false;
            }
            if (t instanceof R2dbcException r2dbc) {
                String state = r2dbc.getSqlState();
                if (state != null && state.startsWith("08") || lostByServer.test(r2dbc)) {
                    return true;
                }
                if (t instanceof R2dbcNonTransientResourceException || t instanceof R2dbcTransientResourceException) {
                    return true;
                }
            }
            if (t instanceof IOException || t instanceof TimeoutException) {
                return true;
            }
            String name = t.getClass().getName();
            if (name.contains("ConnectionClosed") || name.contains("PrematureClose") || name.startsWith("io.netty.")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The error for a lost connection ({@link #isConnectionLoss}): "cannot reach" the server when no connection was
     * made (refused, timed out), else "lost the connection to" it; with what was being done, where, the connect timeout
     * and the root cause's message, scrubbed. Retryable.
     *
     * @param server the server's kind ("MySQL")
     * @param where  the server and database, never a secret (" (MySQL at db:3306, database 'shop')")
     */
    public static SourceException connectionLost(Throwable e, String server, String what, String where,
                                                 Duration connectTimeout, UnaryOperator<String> scrub) {
        boolean neverConnected = Failures.find(e, ConnectException.class) != null
                || Failures.find(e, TimeoutException.class) != null
                || (Failures.find(e, R2dbcException.class) == null && e.getClass().getName().contains("Connect"));
        String verb = neverConnected ? "cannot reach " + server : "lost the connection to " + server;
        return new SourceException(verb + " while " + what + where + " (connect timeout " + connectTimeout.toSeconds()
                + "s): " + scrub.apply(Failures.rootMessage(e)), null, true);
    }
}
