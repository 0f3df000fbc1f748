package io.connectors.source.mongodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.ConnectionString;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceException;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.network.NetworkPolicy;
import io.connectors.spi.network.NetworkPolicyException;
import io.connectors.spi.rules.SyncRules;
import io.connectors.testkit.network.ConnectionCounter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** Hosts the network policy refuses are never connected to, whether named in the connection string or resolved later. */
class MongoNetworkPolicyTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Counts the connections made to it: a refused host must see none. */
    private ConnectionCounter listener;
    private MongoDataSource source;

    @BeforeEach
    void listen() {
        listener = new ConnectionCounter("mongo-policy-listener");
    }

    @AfterEach
    void close() throws Exception {
        if (source != null) {
            source.close().block(WAIT);
        }
        listener.close();
    }

    private MongoDataSource source(String connectionString, NetworkPolicy policy) {
        Map<String, Object> raw = new LinkedHashMap<>(Map.of("connection_string", connectionString, "database", "db",
                "collections", List.of("items"), "server_selection_timeout", "1s", "connect_timeout", "1s",
                "watch_changes", false));
        MongoDataSourceProvider provider = new MongoDataSourceProvider();
        source = (MongoDataSource) provider.create(SourceConfig.from(provider.configFields(), raw),
                new SourceContext("mongo-net", policy));
        return source;
    }

    @Test
    void aHostOutsideTheAllowListFailsEveryOperationWithTheRuleAndIsNeverConnected() throws Exception {
        MongoDataSource s = source("mongodb://127.0.0.1:" + listener.port() + "/?directConnection=true",
                NetworkPolicy.of(List.of("*.example.com"), List.of()));
        String expected = "connection_string: host '127.0.0.1' is refused by the network policy: it is not in"
                + " network.allowed_hosts [*.example.com]";
        s.ping().as(StepVerifier::create).expectErrorSatisfies(e -> assertThat(e)
                .isInstanceOf(NetworkPolicyException.class).hasMessage(expected)).verify(WAIT);
        s.validateConfig().as(StepVerifier::create).expectErrorMessage(expected).verify(WAIT);
        s.getDocs(SyncRules.NONE).as(StepVerifier::create).expectErrorMessage(expected).verify(WAIT);
        s.currentCursor().as(StepVerifier::create).expectErrorMessage(expected).verify(WAIT);
        s.close().block(WAIT);
        listener.close();
        assertThat(listener.accepted()).isZero();
    }

    @Test
    void everyHostOfTheConnectionStringIsCheckedAndTheMetadataAddressRefusedByDefault() {
        MongoDataSource s = source("mongodb://127.0.0.1:" + listener.port() + ",169.254.169.254/?replicaSet=rs0",
                NetworkPolicy.defaults());
        s.ping().as(StepVerifier::create).expectErrorSatisfies(e -> assertThat(e)
                .isInstanceOf(NetworkPolicyException.class)
                .hasMessageContaining("connection_string: host '169.254.169.254' is refused by the network policy: denied"
                        + " by default (169.254.0.0/16")).verify(WAIT);
    }

    @Test
    void aNameThatResolvesElsewhereWhenTheDriverConnectsIsRefusedThereToo() {
        // DNS rebinding: the check sees a harmless address, the driver's own lookup the metadata service. The driver
        // resolves through the policy, so it is refused there, and the time-out says why.
        AtomicInteger lookups = new AtomicInteger();
        int port = listener.port();
        NetworkPolicy policy = NetworkPolicy.defaults().withResolver(host -> List.of(InetAddress.getByName(
                lookups.getAndIncrement() == 0 ? "127.0.0.1" : "169.254.169.254")));
        MongoDataSource s = source("mongodb://rebind.example:" + port + "/?directConnection=true", policy);
        s.ping().as(StepVerifier::create).expectErrorSatisfies(e -> assertThat(e).isInstanceOf(SourceException.class)
                .hasMessageStartingWith("cannot reach MongoDB while pinging the server: connection_string: host"
                        + " 'rebind.example' resolves to 169.254.169.254, which is refused by the network policy")
                .hasCauseInstanceOf(NetworkPolicyException.class)).verify(WAIT);
        assertThat(lookups.get()).isGreaterThan(1);
        assertThat(s.hostCheck().refusal()).isPresent();
    }

    @Test
    void theResolverHandsTheDriverAnUnknownHostThatCarriesTheRefusal() throws Exception {
        MongoHostCheck check = new MongoHostCheck(NetworkPolicy.of(List.of("10.0.0.0/8"), List.of()), "c");
        assertThat(check.refusal()).isEmpty();
        assertThat(check.lookupByName("10.1.2.3")).extracting(InetAddress::getHostAddress).containsExactly("10.1.2.3");
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> check.lookupByName("127.0.0.1")).isInstanceOf(UnknownHostException.class)
                    .hasMessageContaining("not in network.allowed_hosts [10.0.0.0/8]")
                    .hasCauseInstanceOf(NetworkPolicyException.class);
        }
        assertThat(check.refusal()).get().extracting(NetworkPolicyException::host).isEqualTo("127.0.0.1");
        MongoHostCheck unresolved = new MongoHostCheck(NetworkPolicy.defaults(), "c");
        assertThatThrownBy(() -> unresolved.lookupByName("no-such-host.invalid")).isInstanceOf(UnknownHostException.class);
        assertThat(unresolved.refusal()).isEmpty();
    }

    @Test
    void hostsAndPortsAreReadAsTheDriverListsThem() {
        assertThat(MongoHostCheck.hostsAndPorts(List.of("db", "db:27018", "[::1]", "[::1]:27019", "10.0.0.1:x")))
                .containsExactly(new MongoHostCheck.HostAndPort("db", 27017), new MongoHostCheck.HostAndPort("db", 27018),
                        new MongoHostCheck.HostAndPort("[::1]", 27017), new MongoHostCheck.HostAndPort("[::1]", 27019),
                        new MongoHostCheck.HostAndPort("10.0.0.1", -1));
    }

    @Test
    void anSrvNameIsLeftToTheResolverAndThePortsOfOtherHostsAreChecked() {
        MongoHostCheck check = new MongoHostCheck(NetworkPolicy.of(List.of("10.0.0.0/8"), List.of()), "c");
        check.checkHosts(new ConnectionString("mongodb+srv://cluster0.example.com/db")).as(StepVerifier::create)
                .verifyComplete();
        check.checkHosts(new ConnectionString("mongodb://10.0.0.1:27017,10.0.0.2")).as(StepVerifier::create)
                .verifyComplete();
        check.checkHosts(new ConnectionString("mongodb://10.0.0.1:27017,10.0.0.2,192.168.1.1")).as(StepVerifier::create)
                .expectErrorMessage("connection_string: host '192.168.1.1' is refused by the network policy: it is not in"
                        + " network.allowed_hosts [10.0.0.0/8]").verify(WAIT);
    }
}
