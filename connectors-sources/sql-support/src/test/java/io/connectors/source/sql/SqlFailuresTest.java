package io.connectors.source.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.spi.SourceException;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.network.NetworkPolicyException;
import io.r2dbc.spi.R2dbcBadGrammarException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Which failures are a lost connection, worth a retry on a new one. */
class SqlFailuresTest {
    private static final Predicate<io.r2dbc.spi.R2dbcException> KILLED = e -> e.getErrorCode() == 1927;

    private static boolean lost(Throwable e) {
        return SqlFailures.isConnectionLoss(e, KILLED);
    }

    @Test
    void connectionEndsAreLost() {
        assertThat(lost(new R2dbcBadGrammarException("gone", "08006"))).isTrue();
        assertThat(lost(new R2dbcBadGrammarException("killed", "70100", 1927))).isTrue();
        assertThat(lost(new R2dbcNonTransientResourceException("closed"))).isTrue();
        assertThat(lost(new R2dbcTransientResourceException("busy"))).isTrue();
        assertThat(lost(new RuntimeException(new IOException("reset")))).isTrue();
        assertThat(lost(new TimeoutException())).isTrue();
        assertThat(lost(new IllegalStateException("x", new ConnectionClosedException()))).isTrue();
    }

    @Test
    void errorsOfTheQueryTheConfigurationOrThePolicyAreNot() {
        assertThat(lost(new R2dbcBadGrammarException("syntax", "42000", 1064))).isFalse();
        assertThat(lost(new R2dbcBadGrammarException("no state"))).isFalse();
        assertThat(lost(new IllegalArgumentException("bad"))).isFalse();
        assertThat(lost(new SourceException("duplicate key", new IOException("reset"), false))).isFalse();
        assertThat(lost(new ConfigValidationException("host", "bad"))).isFalse();
        Throwable refused = io.connectors.spi.network.NetworkPolicy.of(java.util.List.of(), java.util.List.of("127.0.0.1"))
                .withResolver(host -> java.util.List.of(java.net.InetAddress.getLoopbackAddress()))
                .check("host", "db", 1).materialize().block().getThrowable();
        assertThat(refused).isInstanceOf(NetworkPolicyException.class);
        assertThat(lost(new RuntimeException(new IOException("reset", refused)))).isFalse();
    }

    @Test
    void aLostConnectionSaysWhetherTheServerWasEverReachedWithoutTheSecret() {
        SourceException never = SqlFailures.connectionLost(new RuntimeException(new java.net.ConnectException(
                "Connection refused s3cret")), "MySQL", "reading t", " (MySQL at db:3306)", java.time.Duration.ofSeconds(7),
                m -> m.replace("s3cret", "********"));
        assertThat(never).hasMessage("cannot reach MySQL while reading t (MySQL at db:3306) (connect timeout 7s):"
                + " Connection refused ********");
        assertThat(never.retryable()).isTrue();
        assertThat(SqlFailures.connectionLost(new R2dbcNonTransientResourceException("closed"), "PostgreSQL",
                "reading t", "", java.time.Duration.ofSeconds(10), m -> m))
                .hasMessage("lost the connection to PostgreSQL while reading t (connect timeout 10s): closed");
        assertThat(SqlFailures.connectionLost(new TimeoutException("late"), "MySQL", "connecting", "",
                java.time.Duration.ofSeconds(1), m -> m)).hasMessageStartingWith("cannot reach MySQL");
    }

    /** Named as the drivers' own closed-connection exceptions are. */
    private static final class ConnectionClosedException extends RuntimeException {
    }
}
