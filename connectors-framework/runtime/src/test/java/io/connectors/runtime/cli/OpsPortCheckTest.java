package io.connectors.runtime.cli;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.runtime.config.OpsSettings;
import io.connectors.runtime.ops.DaemonMetrics;
import io.connectors.runtime.ops.OpsServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** {@code connectors run} refuses a taken operations port before it starts anything, naming who holds it. */
class OpsPortCheckTest {

    @Test
    void aPortHeldByADaemonNamesItsPid() {
        try (DaemonMetrics metrics = new DaemonMetrics()) {
            OpsServer first = OpsServer.start(new OpsSettings(true, "127.0.0.1", 0), () -> Mono.just(List.of()), metrics)
                    .block(Duration.ofSeconds(10));
            try {
                assertThatThrownBy(() -> OpsPortCheck.requireFree(new OpsSettings(true, "127.0.0.1", first.port())))
                        .isInstanceOf(UserFacingException.class)
                        .hasMessageStartingWith("the operations port 127.0.0.1:" + first.port() + " (daemon.http) is in use"
                                + " by the connectors daemon with pid " + ProcessHandle.current().pid())
                        .hasMessageContaining("nothing was started")
                        .hasMessageContaining("daemon.http.port (0 takes any free port)");
            } finally {
                first.close();
            }
        }
    }

    @Test
    void aPortHeldByAnotherProgramSaysSo() throws Exception {
        try (ServerSocket other = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> OpsPortCheck.requireFree(new OpsSettings(true, "127.0.0.1", other.getLocalPort())))
                    .isInstanceOf(UserFacingException.class)
                    .hasMessageContaining("is in use by another program; nothing was started");
        }
    }

    @Test
    void aFreePortAnyPortOrNoEndpointPass() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        assertThatCode(() -> OpsPortCheck.requireFree(new OpsSettings(true, "127.0.0.1", port))).doesNotThrowAnyException();
        assertThatCode(() -> OpsPortCheck.requireFree(new OpsSettings(true, "127.0.0.1", 0))).doesNotThrowAnyException();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatCode(() -> OpsPortCheck.requireFree(new OpsSettings(false, "127.0.0.1", taken.getLocalPort())))
                    .doesNotThrowAnyException();
        }
    }
}
