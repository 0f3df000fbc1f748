package io.connectors.source.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.spi.SourceContext;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.network.NetworkPolicy;
import io.connectors.spi.network.NetworkPolicyException;
import io.connectors.spi.rules.SyncRules;
import io.connectors.testkit.network.ConnectionCounter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** Hosts the network policy refuses are never connected to, and every way in says why. */
class PgNetworkPolicyTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Counts the connections made to it: a refused host must see none. */
    private ConnectionCounter listener;

    @BeforeEach
    void listen() {
        listener = new ConnectionCounter("pg-policy-listener");
    }

    @AfterEach
    void close() throws Exception {
        listener.close();
    }

    private PgDataSource source(String host, int port, NetworkPolicy policy) {
        Map<String, Object> raw = new LinkedHashMap<>(Map.of("host", host, "port", port, "database", "d", "user", "u",
                "connect_timeout", "2s"));
        return (PgDataSource) new PgDataSourceProvider().create(SourceConfig.from(PgConfig.FIELDS, raw),
                new SourceContext("pg-net", policy));
    }

    @Test
    void aHostOutsideTheAllowListFailsEveryOperationWithTheRuleAndIsNeverConnected() throws Exception {
        PgDataSource source = source("127.0.0.1", listener.port(), NetworkPolicy.of(List.of("10.0.0.0/8"), List.of()));
        String expected = "host: host '127.0.0.1' is refused by the network policy: it is not in network.allowed_hosts"
                + " [10.0.0.0/8]";
        source.ping().as(StepVerifier::create).expectErrorSatisfies(e -> assertThat(e)
                .isInstanceOf(NetworkPolicyException.class).hasMessage(expected)).verify(WAIT);
        source.validateConfig().as(StepVerifier::create).expectErrorMessage(expected).verify(WAIT);
        source.getDocs(SyncRules.NONE).as(StepVerifier::create).expectErrorMessage(expected).verify(WAIT);
        source.discoverSchema().as(StepVerifier::create).expectErrorMessage(expected).verify(WAIT);
        source.fingerprint().as(StepVerifier::create).expectErrorMessage(expected).verify(WAIT);
        source.validateAdvancedRules(Map.of("queries", List.of(Map.of("table", "q", "query", "SELECT 1 AS id", "key", List.of("id")))))
                .as(StepVerifier::create).expectErrorMessage(expected).verify(WAIT);
        source.close().block(WAIT);
        listener.close();
        assertThat(listener.accepted()).isZero();
    }

    @Test
    void theMetadataAddressIsRefusedByDefaultAtOnce() {
        PgDataSource source = source("169.254.169.254", 5432, NetworkPolicy.defaults());
        // Refused before any connection attempt: no connect timeout runs out first.
        source.ping().as(StepVerifier::create).expectErrorSatisfies(e -> assertThat(e)
                .isInstanceOf(NetworkPolicyException.class)
                .hasMessageContaining("host: host '169.254.169.254' is refused by the network policy: denied by default"
                        + " (169.254.0.0/16")).verify(WAIT);
        source.close().block(WAIT);
    }

    @Test
    void anUnresolvableHostIsNamedAndNotTakenForALostConnection() {
        PgDataSource source = source("no-such-host.invalid", 5432, NetworkPolicy.defaults());
        source.ping().as(StepVerifier::create).expectErrorSatisfies(e -> {
            assertThat(e).isInstanceOf(NetworkPolicyException.class)
                    .hasMessage("host: host 'no-such-host.invalid' does not resolve to an address (unknown host)");
            assertThat(PgErrors.isConnectionLoss(e)).isFalse();
            assertThat(PgErrors.isConnectionLoss(new RuntimeException("wrapped", e))).isFalse();
            assertThat(PgErrors.describe(new RuntimeException("wrapped", e), PgConfig.from(SourceConfig.from(
                    PgConfig.FIELDS, Map.of("host", "h", "database", "d", "user", "u"))), "x")).isSameAs(e);
        }).verify(WAIT);
        source.close().block(WAIT);
    }

    @Test
    void anAllowedHostIsReachedAsBefore() {
        try (PgBackend db = PgBackend.create("netpolicy")) {
            db.sql("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)");
            Map<String, Object> raw = new LinkedHashMap<>(db.connectorConfiguration());
            String host = String.valueOf(raw.get("host"));
            NetworkPolicy policy = NetworkPolicy.of(List.of(host, "127.0.0.0/8", "::1"), List.of());
            PgDataSource source = (PgDataSource) new PgDataSourceProvider().create(
                    SourceConfig.from(PgConfig.FIELDS, raw), new SourceContext("pg-net", policy));
            try {
                source.ping().as(StepVerifier::create).verifyComplete();
                source.validateConfig().as(StepVerifier::create).verifyComplete();
                source.getDocs(SyncRules.NONE).count().as(StepVerifier::create).expectNext(1L).verifyComplete();
            } finally {
                source.close().block(WAIT);
            }
        }
    }

    @Test
    void theHostFieldRefusesSchemesPathsAndSpacesAndThePortItsRange() {
        for (String bad : List.of("postgresql://db", "db/x", "db host", "db:5432")) {
            assertThatThrownBy(() -> SourceConfig.from(PgConfig.FIELDS, Map.of("host", bad, "database", "d", "user", "u")))
                    .as(bad).isInstanceOf(ConfigValidationException.class)
                    .hasMessageContaining("host").hasMessageContaining("is not a host name or IP address");
        }
        assertThatThrownBy(() -> SourceConfig.from(PgConfig.FIELDS, Map.of("host", "postgresql://db", "database", "d",
                "user", "u"))).hasMessageContaining("without a scheme");
        assertThatThrownBy(() -> SourceConfig.from(PgConfig.FIELDS, Map.of("host", "db", "port", 70_000, "database", "d",
                "user", "u"))).isInstanceOf(ConfigValidationException.class).hasMessageContaining("port");
        assertThat(SourceConfig.from(PgConfig.FIELDS, Map.of("host", "[::1]", "database", "d", "user", "u"))).isNotNull();
    }
}
