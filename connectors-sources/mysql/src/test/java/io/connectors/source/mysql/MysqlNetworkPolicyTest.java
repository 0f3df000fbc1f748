package io.connectors.source.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceMetrics;
import io.connectors.spi.SyncCursor;
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

/** Hosts the network policy refuses are never connected to, the binlog's connection included, and every way in says why. */
class MysqlNetworkPolicyTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private ConnectionCounter listener;

    @BeforeEach
    void listen() {
        listener = new ConnectionCounter("mysql-policy-listener");
    }

    @AfterEach
    void close() throws Exception {
        listener.close();
    }

    private MysqlDataSource source(String host, int port, NetworkPolicy policy, boolean realtime) {
        Map<String, Object> raw = new LinkedHashMap<>(Map.of("host", host, "port", port, "database", "d", "user", "u",
                "connect_timeout", "2s"));
        return (MysqlDataSource) new MysqlDataSourceProvider().create(SourceConfig.from(MysqlConfig.FIELDS, raw),
                new SourceContext("mysql-net", policy, false, realtime, SourceMetrics.NONE));
    }

    @Test
    void aHostOutsideTheAllowListFailsEveryOperationWithTheRuleAndIsNeverConnected() throws Exception {
        MysqlDataSource source = source("127.0.0.1", listener.port(), NetworkPolicy.of(List.of("10.0.0.0/8"), List.of()),
                true);
        String expected = "host: host '127.0.0.1' is refused by the network policy: it is not in network.allowed_hosts"
                + " [10.0.0.0/8]";
        source.ping().as(StepVerifier::create).expectErrorSatisfies(e -> assertThat(e)
                .isInstanceOf(NetworkPolicyException.class).hasMessage(expected)).verify(WAIT);
        source.validateConfig().as(StepVerifier::create).expectErrorMessage(expected).verify(WAIT);
        source.getDocs(SyncRules.NONE).as(StepVerifier::create).expectErrorMessage(expected).verify(WAIT);
        source.discoverSchema().as(StepVerifier::create).expectErrorMessage(expected).verify(WAIT);
        source.binlogPosition().as(StepVerifier::create).expectErrorMessage(expected).verify(WAIT);
        source.currentCursor().as(StepVerifier::create).expectErrorMessage(expected).verify(WAIT);
        source.followChanges(new SyncCursor(Map.of(MysqlDataSource.BINLOG, "binlog.000001:4")), SyncRules.NONE)
                .as(StepVerifier::create).expectErrorMessage(expected).verify(WAIT);
        source.validateAdvancedRules(Map.of("queries", List.of(Map.of("table", "q", "query", "SELECT 1 AS id", "key",
                List.of("id"))))).as(StepVerifier::create).expectErrorMessage(expected).verify(WAIT);
        source.close().block(WAIT);
        listener.close();
        assertThat(listener.accepted()).isZero();
    }

    @Test
    void theMetadataAddressIsRefusedByDefaultAtOnce() {
        MysqlDataSource source = source("169.254.169.254", 3306, NetworkPolicy.defaults(), false);
        source.ping().as(StepVerifier::create).expectErrorSatisfies(e -> assertThat(e)
                .isInstanceOf(NetworkPolicyException.class)
                .hasMessageContaining("host: host '169.254.169.254' is refused by the network policy: denied by default"))
                .verify(WAIT);
        source.close().block(WAIT);
    }
}
