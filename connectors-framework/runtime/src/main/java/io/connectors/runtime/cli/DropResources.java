package io.connectors.runtime.cli;

import io.connectors.elasticsearch.local.LocalElasticsearchLauncher;
import io.connectors.runtime.SourceRegistry;
import io.connectors.runtime.config.ConnectorConfig;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.config.ElasticsearchConfig;
import io.connectors.runtime.state.ConnectorRecord;
import io.connectors.runtime.state.ConnectorRecords;
import io.connectors.runtime.state.JobRecords;
import io.connectors.runtime.state.StateStore;
import io.connectors.runtime.util.Failures;
import io.connectors.spi.SourceResource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code connectors sources drop-resources <connector>}: drops what a connector's source keeps on its backend between
 * jobs ({@link io.connectors.spi.ResourceHoldingSource}), for a connector being removed. Refused while a job of the
 * connector runs; asks first unless {@code --yes}.
 */
@Command(name = "drop-resources",
        description = {"Drop what a connector's source keeps on its backend between jobs (a PostgreSQL replication slot "
                + "and publication, which retain WAL until dropped), for a connector you are removing: remove it from the "
                + "configuration of the daemons that serve it first, else its next job creates them again.",
                "Lists them and asks for confirmation (type yes) unless --yes is given. Refused while a job of the connector "
                        + "runs. Exit 0 when dropped or when there is nothing to drop (a source type that keeps nothing "
                        + "included), 1 when refused, not confirmed or failed, 2 for an unknown connector.",
                "A connector already removed from the configuration file: drop its resources with the SQL in its source's "
                        + "documentation (PostgreSQL: docs/sources/postgresql.md)."})
final class DropResources implements Callable<Integer> {
    /** How long dropping may take: a backend that does not answer must not hold the command forever. */
    static final Duration DROP_TIMEOUT = Duration.ofMinutes(1);

    @ParentCommand
    SourcesCommand sources;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "CONNECTOR", description = "The id of a connector in the configuration file.")
    String connectorId;

    @Option(names = "--yes", description = "Drop without asking for confirmation.")
    boolean yes;

    @Override
    public Integer call() {
        ConnectorsConfig config = sources.parent.loadConfig(SourceRegistry.load());
        ConnectorConfig c = config.connector(connectorId).orElseThrow(() -> new UsageException("no connector '" + connectorId
                + "' in " + config.origin() + "; configured connectors: "
                + config.connectors().stream().map(ConnectorConfig::id).toList() + ". The resources of a connector already "
                + "removed from the configuration are dropped with the SQL in its source's documentation "
                + "(PostgreSQL: docs/sources/postgresql.md)"));
        PrintWriter out = spec.commandLine().getOut();
        if (!holdsResources(c)) {
            out.printf("connector %s: source type '%s' keeps nothing on its backend between jobs; nothing to drop%n",
                    c.id(), c.type());
            out.flush();
            return 0;
        }
        State state = state(config, c.id());
        if (state.runningJob() != null) {
            throw new UserFacingException("connector " + c.id() + " has a running job, " + state.runningJob()
                    + ", which uses what its source keeps; stop it first (connectors pause " + c.id()
                    + ", or connectors jobs cancel " + state.runningJob() + "), then run this again");
        }
        List<SourceResource> held = Main.await(SourceResources.withSource(c, h -> h.resources()
                        .timeout(SourceResources.LIST_TIMEOUT)
                        .onErrorMap(e -> new UserFacingException("connector " + c.id() + ": its source cannot list its "
                                + "resources: " + SourceResources.describe(e, SourceResources.LIST_TIMEOUT))))
                .onErrorMap(e -> !(e instanceof UserFacingException), this::notCreated));
        if (held.isEmpty()) {
            out.printf("connector %s holds no resources on its backend; nothing to drop%n", c.id());
            out.flush();
            return 0;
        }
        out.printf("connector %s holds:%n", c.id());
        for (SourceResource r : held) {
            out.printf("  %s %s: %s%s%n", r.kind(), r.name(), SourceResources.details(r.details()),
                    r.warnings().isEmpty() ? "" : " (" + String.join("; ", r.warnings()) + ")");
        }
        state.servedBy().ifPresent(served -> out.printf("note: daemon %s (pid %d, configuration %s) serves connector %s: "
                        + "its next job of the connector creates them again; remove the connector from that configuration "
                        + "and restart the daemon first%n", served.worker(), served.pid(), served.config(), c.id()));
        if (!yes && !confirmed(out)) {
            spec.commandLine().getErr().println("not dropped: not confirmed (answer yes, or pass --yes)");
            return 1;
        }
        List<String> dropped = Main.await(SourceResources.withSource(c, h -> h.dropResources()
                        .timeout(DROP_TIMEOUT)
                        .onErrorMap(e -> new UserFacingException("connector " + c.id() + ": dropping its resources failed: "
                                + SourceResources.describe(e, DROP_TIMEOUT) + "; see what is left: connectors status")))
                .onErrorMap(e -> !(e instanceof UserFacingException), this::notCreated));
        if (dropped == null || dropped.isEmpty()) {
            out.println("nothing to drop");
        } else {
            dropped.forEach(out::println);
        }
        out.flush();
        return 0;
    }

    private boolean holdsResources(ConnectorConfig c) {
        try {
            return Main.await(SourceResources.holdsResources(c));
        } catch (RuntimeException e) {
            throw notCreated(e);
        }
    }

    private UserFacingException notCreated(Throwable e) {
        return new UserFacingException("connector " + connectorId + ": its source cannot be created: " + Failures.describe(e));
    }

    /** Asks on standard output and reads the answer from standard input; end of input is no. */
    private boolean confirmed(PrintWriter out) {
        out.print("Drop them? They cannot be recovered. Type yes to drop: ");
        out.flush();
        try {
            // Not closed: standard input is the process's.
            String answer = new BufferedReader(new InputStreamReader(System.in, Charset.defaultCharset())).readLine();
            out.println();
            return answer != null && List.of("yes", "y").contains(answer.strip().toLowerCase(Locale.ROOT));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What the state index says of the connector now.
     *
     * @param runningJob the job holding the connector's lock while it is alive; null when none runs
     * @param servedBy   the live daemon serving the connector, if any
     */
    record State(String runningJob, Optional<ConnectorRecord.ServedBy> servedBy) {
        static final State NONE = new State(null, Optional.empty());
    }

    /**
     * The connector's state, read the way the daemons read it. A cluster without state indices, or no local
     * Elasticsearch running for a configuration that uses the local one, runs no job of it; a cluster that cannot be
     * asked fails the command: nothing is dropped that a job might use.
     */
    private static State state(ConnectorsConfig config, String connectorId) {
        ElasticsearchConfig esc = config.elasticsearch();
        if (esc.embeddedRequested() && LocalElasticsearchLauncher.findRunning(esc.embedded().home()).isEmpty()) {
            return State.NONE;
        }
        ElasticsearchAccess es;
        try {
            es = ElasticsearchAccess.openRunning(esc);
        } catch (UserFacingException e) {
            throw new UserFacingException("cannot check that no job of connector " + connectorId + " runs: "
                    + e.getMessage());
        }
        try (es) {
            StateStore store = new StateStore(es.handle().async(), config.daemon().statePrefix());
            if (!Main.await(store.missingIndices()).isEmpty()) {
                return State.NONE;
            }
            ConnectorRecords connectors = new ConnectorRecords(store);
            Instant now = Instant.now();
            String job = Main.await(connectors.liveHolder(connectorId, new JobRecords(store),
                    config.daemon().heartbeatTimeout(), now));
            Optional<ConnectorRecord.ServedBy> served = Optional.ofNullable(Main.await(connectors.get(connectorId)))
                    .flatMap(v -> ConnectorRecords.servedBy(v.doc(), now));
            return new State(job, served);
        }
    }
}
