package io.connectors.runtime.cli;

import io.connectors.elasticsearch.local.LocalElasticsearchLauncher;
import io.connectors.runtime.config.ConnectorConfig;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.config.ElasticsearchConfig;
import io.connectors.runtime.config.EmbeddedElasticsearchSettings;
import io.connectors.runtime.es.ClusterInfo;
import io.connectors.runtime.es.ElasticsearchClients;
import io.connectors.runtime.es.ElasticsearchHandle;
import io.connectors.runtime.config.ElasticsearchSettings;
import io.connectors.runtime.es.PrivilegeCheck;
import io.connectors.runtime.es.RequiredPrivileges;
import io.connectors.runtime.state.JobType;
import io.connectors.runtime.sync.SyncRunner;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Elasticsearch a command talks to: the configured cluster, or, when none is configured, the local one (what
 * {@code make run} relies on): started from the distribution and stopped again on {@link #close()}, or, when a live
 * process already runs one on the same data folder, that one, left running on {@link #close()}.
 */
final class ElasticsearchAccess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchAccess.class);

    private final ElasticsearchHandle handle;
    private final LocalElasticsearchLauncher embedded;
    private final URI uri;

    private ElasticsearchAccess(ElasticsearchHandle handle, LocalElasticsearchLauncher embedded, URI uri) {
        this.handle = handle;
        this.embedded = embedded;
        this.uri = uri;
    }

    static ElasticsearchAccess open(ElasticsearchConfig config) {
        if (!config.embeddedRequested()) {
            ElasticsearchSettings settings = config.settingsFor(config.hosts());
            return new ElasticsearchAccess(ElasticsearchClients.create(settings), null, config.hosts().get(0));
        }
        EmbeddedElasticsearchSettings e = config.embedded();
        LOG.info("No elasticsearch.host is configured: using the local Elasticsearch (data in {})", e.home().toAbsolutePath());
        // Started here, or, when a live process (a daemon, say) already runs one on this data folder, that one:
        // attached to, never stopped (the launcher says which in one line).
        LocalElasticsearchLauncher.Builder builder = LocalElasticsearchLauncher.builder()
                .home(e.home().toAbsolutePath())
                .keepData(true)
                .heap(e.heap())
                .httpPort(e.port())
                .fallbackToFreePort(true);
        e.version().ifPresent(builder::version);
        LocalElasticsearchLauncher launcher = builder.build().start();
        URI uri = launcher.endpoint().uri();
        ElasticsearchSettings settings = config.settingsFor(List.of(uri));
        return new ElasticsearchAccess(ElasticsearchClients.create(settings), launcher, uri);
    }

    /**
     * Opens access and checks the cluster answers, so a command fails at once with a clear message rather than
     * at its first request.
     */
    static ElasticsearchAccess openAndPing(ElasticsearchConfig config) {
        ElasticsearchAccess access = open(config);
        try {
            ClusterInfo info = Main.await(access.handle.ping());
            LOG.info("Elasticsearch {}: cluster '{}' (version {}) is {}", access.uri, info.clusterName(),
                    info.version() == null ? "unknown" : info.version(), info.status());
            return access;
        } catch (RuntimeException e) {
            access.close();
            throw new UserFacingException("Elasticsearch at " + access.uri + " cannot be used: " + e.getMessage());
        }
    }

    /**
     * Access to a cluster that is already running, for commands that read or write state: the configured hosts,
     * or, with none configured, the local Elasticsearch a daemon started (on {@code elasticsearch.embedded.port}).
     * Never starts one.
     */
    static ElasticsearchAccess openRunning(ElasticsearchConfig config) {
        List<URI> hosts = config.embeddedRequested() ? List.of(localNode(config.embedded())) : config.hosts();
        ElasticsearchAccess access = new ElasticsearchAccess(ElasticsearchClients.create(config.settingsFor(hosts)), null, hosts.get(0));
        try {
            Main.await(access.handle.ping());
            return access;
        } catch (RuntimeException e) {
            access.close();
            throw new UserFacingException("Elasticsearch at " + access.uri + " cannot be used: " + e.getMessage()
                    + (config.embeddedRequested() ? "; no elasticsearch.host is configured, so this looks for the local one a "
                    + "running daemon started (connectors run)" : ""));
        }
    }

    /**
     * Where the local Elasticsearch of {@code elasticsearch.embedded.home} answers: as its owner recorded it (it may
     * have taken another port than the configured one), else on the configured port.
     */
    private static URI localNode(EmbeddedElasticsearchSettings e) {
        return LocalElasticsearchLauncher.findRunning(e.home())
                .map(LocalElasticsearchLauncher.RunningNode::uri)
                .orElseGet(() -> URI.create("http://127.0.0.1:" + (e.port() == 0 ? 9200 : e.port())));
    }

    /**
     * Fails with a {@link io.connectors.runtime.es.MissingPrivilegesException} naming every privilege the configured
     * user lacks for the state indices and the connectors' indices; does nothing when security is off.
     */
    void checkPrivileges(ConnectorsConfig config) {
        Main.await(PrivilegeCheck.check(handle.async(), requiredPrivileges(config)));
    }

    /** What the daemon of this configuration needs: its state indices, and each connector's index(es). */
    static RequiredPrivileges requiredPrivileges(ConnectorsConfig config) {
        List<String> targets = new ArrayList<>();
        for (ConnectorConfig c : config.connectors()) {
            targets.add(c.index());
            if (c.schedules().containsKey(JobType.ACCESS_CONTROL.value())) {
                targets.add(SyncRunner.accessControlIndex(c));
            }
        }
        return RequiredPrivileges.of(config.daemon().statePrefix(), targets);
    }

    ElasticsearchHandle handle() {
        return handle;
    }

    /** The address of the cluster, for messages (no credentials). */
    URI uri() {
        return uri;
    }

    boolean embedded() {
        return embedded != null;
    }

    /** Whether this process started the local Elasticsearch it uses, so that it stops at {@link #close()}. */
    boolean startedHere() {
        return embedded != null && !embedded.attached();
    }

    @Override
    public void close() {
        handle.close();
        if (embedded != null) {
            embedded.stop();
        }
    }
}
