package io.connectors.source.mongodb;

import com.mongodb.ConnectionString;
import com.mongodb.spi.dns.InetAddressResolver;
import io.connectors.spi.network.NetworkPolicy;
import io.connectors.spi.network.NetworkPolicyException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The network policy applied to MongoDB: the hosts of the connection string are checked before the client is created,
 * and every name the driver resolves afterwards (replica set members it discovers, the targets of a
 * {@code mongodb+srv} record, a re-resolved host) goes through the policy as the driver's {@link InetAddressResolver}.
 *
 * <p>The driver resolves on its own monitor threads, so {@link #lookupByName} blocks as the driver's default resolver
 * does. A member it refuses is not connected to; the driver sees an unknown host, and an operation that then finds no
 * server fails after {@code server_selection_timeout}: {@link #refusal()} lets that failure say why.
 */
final class MongoHostCheck implements InetAddressResolver {
    private static final Logger LOG = LoggerFactory.getLogger(MongoHostCheck.class);
    static final int DEFAULT_PORT = 27017;

    private final NetworkPolicy policy;
    private final String connectorId;
    private final AtomicReference<NetworkPolicyException> lastRefusal = new AtomicReference<>();
    /** Hosts whose refusal was logged: the driver retries a member every heartbeat, the log says it once. */
    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    MongoHostCheck(NetworkPolicy policy, String connectorId) {
        this.policy = policy;
        this.connectorId = connectorId;
    }

    @Override
    public List<InetAddress> lookupByName(String host) throws UnknownHostException {
        try {
            return policy.resolve(MongoConfig.CONNECTION_STRING, host);
        } catch (NetworkPolicyException e) {
            if (e.reason() != NetworkPolicyException.Reason.UNRESOLVABLE) {
                lastRefusal.set(e);
                if (logged.add(host)) {
                    LOG.warn("Connector {}: MongoDB host not connected to: {}", connectorId, e.getMessage());
                }
            }
            UnknownHostException unknown = new UnknownHostException(e.getMessage());
            unknown.initCause(e);
            throw unknown;
        }
    }

    /** The last host this check refused to the driver, if any. */
    Optional<NetworkPolicyException> refusal() {
        return Optional.ofNullable(lastRefusal.get());
    }

    /**
     * Checks the connection string's hosts, in order. A {@code mongodb+srv} name is not connected to (the driver asks DNS
     * for its SRV and TXT records): the hosts it lists are checked as the driver resolves them.
     */
    Mono<Void> checkHosts(ConnectionString cs) {
        if (cs.isSrvProtocol()) {
            return Mono.empty();
        }
        return Flux.fromIterable(hostsAndPorts(cs.getHosts()))
                .concatMap(h -> policy.check(MongoConfig.CONNECTION_STRING, h.host(), h.port()))
                .then();
    }

    record HostAndPort(String host, int port) {
    }

    /** {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port}, as the driver lists them. */
    static List<HostAndPort> hostsAndPorts(List<String> hosts) {
        List<HostAndPort> out = new ArrayList<>();
        for (String h : hosts) {
            String host = h;
            int port = DEFAULT_PORT;
            int colon = h.lastIndexOf(':');
            boolean bracketed = h.startsWith("[");
            if (bracketed ? colon > h.indexOf(']') : colon > 0 && h.indexOf(':') == colon) {
                host = h.substring(0, colon);
                try {
                    port = Integer.parseInt(h.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
            }
            out.add(new HostAndPort(host, port));
        }
        return out;
    }
}
