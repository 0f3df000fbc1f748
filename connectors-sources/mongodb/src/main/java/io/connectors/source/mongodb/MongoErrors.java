package io.connectors.source.mongodb;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoException;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.SourceException;
import java.util.Set;

/**
 * Turns driver exceptions into {@link SourceException}s whose messages say what went wrong in the user's terms
 * (host, database, collection, user), never with the connection string or a password.
 */
final class MongoErrors {
    /** Server error codes meaning a change stream cannot resume from the given position. */
    static final Set<Integer> RESUME_IMPOSSIBLE = Set.of(
            136,   // CappedPositionLost
            260,   // InvalidResumeToken
            280,   // ChangeStreamFatalError
            286);  // ChangeStreamHistoryLost
    /** "The $changeStream stage is only supported on replica sets". */
    static final int CHANGE_STREAMS_UNSUPPORTED = 40573;
    static final int UNAUTHORIZED = 13;
    static final int AUTHENTICATION_FAILED = 18;

    private MongoErrors() {
    }

    /**
     * A source exception for {@code e}, raised while doing {@code what} ("reading collection orders").
     * Network trouble and time-outs are retryable; refusals (authentication, authorization, bad queries) are not.
     */
    static RuntimeException describe(Throwable e, MongoConfig config, String what) {
        if (e instanceof SourceException) {
            return (SourceException) e;
        }
        String where = " (MongoDB at " + config.hosts() + ", database '" + config.database() + "')";
        if (e instanceof MongoSecurityException security) {
            String user = security.getCredential() == null ? "the configured user" : "user '" + security.getCredential().getUserName()
                    + "' (auth database '" + security.getCredential().getSource() + "')";
            return new SourceException("MongoDB refused the credentials of " + user + " while " + what + where
                    + ": check the username, password and auth database", null, false);
        }
        if (e instanceof MongoTimeoutException) {
            return new SourceException("cannot reach MongoDB while " + what + where + " within "
                    + config.serverSelectionTimeout().toSeconds() + "s: " + firstLine(e.getMessage()), null, true);
        }
        if (e instanceof MongoSocketException) {
            return new SourceException("lost the connection to MongoDB while " + what + where + ": "
                    + firstLine(e.getMessage()), null, true);
        }
        if (e instanceof MongoCommandException command) {
            int code = command.getErrorCode();
            if (RESUME_IMPOSSIBLE.contains(code)) {
                return new CursorExpiredException("MongoDB cannot resume the change stream from the saved position ("
                        + command.getErrorCodeName() + ": " + firstLine(command.getErrorMessage()) + ")");
            }
            if (code == CHANGE_STREAMS_UNSUPPORTED) {
                return new SourceException("change streams are not available on this MongoDB deployment" + where
                        + ": they need a replica set (a single-node one will do) or a sharded cluster. Schedule only full"
                        + " syncs for this connector, or convert the server to a replica set", null, false);
            }
            if (code == UNAUTHORIZED) {
                return new SourceException("MongoDB refused to let the configured user " + what + where + ": "
                        + firstLine(command.getErrorMessage()), null, false);
            }
            if (code == AUTHENTICATION_FAILED) {
                return new SourceException("MongoDB refused the credentials while " + what + where
                        + ": check the username, password and auth database", null, false);
            }
            return new SourceException("MongoDB failed while " + what + where + ": " + command.getErrorCodeName() + " ("
                    + code + "): " + firstLine(command.getErrorMessage()), null, false);
        }
        if (e instanceof MongoException mongo) {
            return new SourceException("MongoDB failed while " + what + where + ": " + firstLine(mongo.getMessage()),
                    null, mongo.hasErrorLabel(MongoException.TRANSIENT_TRANSACTION_ERROR_LABEL));
        }
        return new SourceException("failed while " + what + where + ": " + e, e, false);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no detail";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
