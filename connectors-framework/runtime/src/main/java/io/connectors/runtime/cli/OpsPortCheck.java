package io.connectors.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connectors.runtime.config.OpsSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Checks, before {@code connectors run} starts anything (Elasticsearch included), that the operations port is free,
 * so a second daemon is refused at once, with the port and the daemon holding it, rather than after it started (or
 * stopped) things the first one uses.
 */
final class OpsPortCheck {
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(2);

    private OpsPortCheck() {
    }

    /**
     * Fails with a message naming the port, and the daemon holding it when its {@code /health} says, when
     * {@code daemon.http} is enabled on a fixed port that something else holds. A port 0 or an address that does not
     * resolve is left to the server's own start.
     */
    static void requireFree(OpsSettings http) {
        if (!http.enabled() || http.port() == 0) {
            return;
        }
        InetSocketAddress address = new InetSocketAddress(http.host(), http.port());
        if (address.isUnresolved()) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(address);
        } catch (IOException e) {
            String where = http.host() + ":" + http.port();
            throw new UserFacingException("the operations port " + where + " (daemon.http) is in use"
                    + holder(address).map(pid -> " by the connectors daemon with pid " + pid
                            + " (its /health answers there)").orElse(" by another program")
                    + "; nothing was started. A daemon already runs with this configuration: use it (connectors "
                    + "status, connectors jobs start), or stop it first. To run another daemon next to it, give it a "
                    + "port of its own: daemon.http.port (0 takes any free port) or daemon.http.enabled: false");
        }
    }

    /** The pid the daemon on {@code address} reports on {@code /health}, if it is one of ours. */
    private static Optional<Long> holder(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        String host = ip.isAnyLocalAddress() ? "127.0.0.1"
                : ip.getHostAddress().contains(":") ? "[" + ip.getHostAddress() + "]" : ip.getHostAddress();
        try {
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(ASK_TIMEOUT).build()
                    .send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + address.getPort() + "/health"))
                            .timeout(ASK_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode pid = new ObjectMapper().readTree(response.body()).path("pid");
            return response.statusCode() == 200 && pid.canConvertToLong() ? Optional.of(pid.asLong()) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
