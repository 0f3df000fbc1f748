package io.connectors.source.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.spi.BaseDataSource;
import io.connectors.spi.DataSourceProvider;
import io.connectors.spi.DeferredSource;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.testkit.contract.DataSourceContractTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * The test kit's contract suite against a real {@code mysql} backend that this test prepares (a local service, an
 * in-process server, or Testcontainers where a Docker engine answers): the inherited tests check every rule of the
 * SPI that can be seen from outside. The methods still to write fail the tests that need them, saying what to do.
 */
class MysqlDataSourceContractTest extends DataSourceContractTest {

    /** A loopback port nothing listens on: the backend is unreachable there. */
    private static final int CLOSED_PORT = closedPort();

    @Override
    protected DataSourceProvider provider() {
        return new MysqlDataSourceProvider();
    }

    @Override
    protected Map<String, Object> validConfiguration() {
        throw notWrittenYet("validConfiguration()", "start or reach a mysql backend once for the class (a"
                + " @BeforeAll), load at least " + MIN_DOCUMENTS + " documents into it, and return the configuration"
                + " that reaches it, e.g. Map.of(\"host\", \"127.0.0.1\", \"port\", backendPort)");
    }

    @Override
    protected Set<String> expectedIds() {
        throw notWrittenYet("expectedIds()", "return the id of every document the backend holds, as getDocs must"
                + " emit them");
    }

    @Override
    protected long openResourceCount() {
        throw notWrittenYet("openResourceCount()", "count the connections (or cursors, or file handles) open to the"
                + " backend right now, as the backend or the operating system sees them: its own session list, its"
                + " connection statistics, or /proc/self/fd. A probe that always answers 0 fails the suite");
    }

    @Override
    protected Optional<SourceDocument> vanishedItem(SourceDocument existing) {
        // A deferred document like one getDocs emits, for an item the backend does not hold: fetch must leave it out.
        return Optional.of(SourceDocument.deferred("no-such-item", existing.version().orElseThrow(), existing.state()));
    }

    @Override
    protected Map<String, Object> unreachableConfiguration() {
        return Map.of(MysqlConfig.HOST, "127.0.0.1", MysqlConfig.PORT, CLOSED_PORT);
    }

    @Override
    protected String unreachableMessageFragment() {
        return "127.0.0.1:" + CLOSED_PORT;
    }

    @Override
    protected List<InvalidConfiguration> invalidConfigurations() {
        // Each is the unreachable configuration, valid but for the field under test.
        Map<String, Object> valid = unreachableConfiguration();
        return List.of(
                invalid("port out of range", with(valid, MysqlConfig.PORT, 70_000), MysqlConfig.PORT),
                invalid("port not a number", with(valid, MysqlConfig.PORT, "http"), MysqlConfig.PORT),
                invalid("host with a scheme", with(valid, MysqlConfig.HOST, "http://example.com"), MysqlConfig.HOST),
                invalid("no concurrency", with(valid, MysqlConfig.MAX_CONCURRENT_REQUESTS, 0),
                        MysqlConfig.MAX_CONCURRENT_REQUESTS),
                invalid("misspelt field", with(valid, "prot", 1), "prot"));
    }

    /** A batch that cannot be read fails, never completes with items missing (they would be taken for deleted ones). */
    @Test
    void fetchFailsWhenUnreachable() {
        BaseDataSource source = createSource(unreachableConfiguration());
        try {
            StepVerifier.create(((DeferredSource) source).fetch(List.of(SourceDocument.deferred("some-item", "1", null))))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(SourceException.class)
                            .hasMessageContaining(unreachableMessageFragment()))
                    .verify(stepTimeout());
        } finally {
            StepVerifier.create(source.close()).expectComplete().verify(stepTimeout());
        }
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
