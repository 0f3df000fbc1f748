package io.connectors.runtime.cli;

import io.connectors.runtime.SourceRegistry;
import io.connectors.runtime.config.ConnectorConfig;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.daemon.Daemon;
import io.connectors.runtime.ops.DaemonMetrics;
import io.connectors.runtime.ops.OpsServer;
import io.connectors.runtime.state.StateStore;
import io.connectors.runtime.sync.ContentExtractor;
import io.connectors.runtime.sync.SyncRunner;
import io.connectors.runtime.util.Failures;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/** {@code connectors run}: the daemon, until SIGTERM or Ctrl-C. */
@Command(name = "run", description = "Run the sync daemon: every connector on its schedule, until stopped (SIGTERM, Ctrl-C).")
final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @ParentCommand
    ConnectorsCommand parent;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        ConnectorsConfig config = parent.loadConfig(SourceRegistry.load());
        Main.await(Daemon.checkCapabilities(config));
        // Before anything starts: a second daemon on the same port must not start (or attach to) Elasticsearch.
        OpsPortCheck.requireFree(config.daemon().http());
        ElasticsearchAccess es = ElasticsearchAccess.openAndPing(config.elasticsearch());
        try {
            es.checkPrivileges(config);
        } catch (RuntimeException e) {
            es.close();
            throw e;
        }
        io.connectors.runtime.sync.SpillFiles.removeStale(config.sync().tempDir());
        DaemonMetrics metrics = new DaemonMetrics();
        StateStore store = new StateStore(es.handle().async(), config.daemon().statePrefix());
        ContentExtractor extractor = new ContentExtractor(config.extraction(), config.sync().tempDir(),
                metrics.extractionListener());
        Daemon daemon = new Daemon(config, store,
                new SyncRunner(es.handle().async(), config.bulk(), config.sync(), metrics.bulkListener(), extractor,
                        metrics::sourceMetrics), metrics);
        OpsServer ops = null;
        if (config.daemon().http().enabled()) {
            try {
                ops = Main.await(OpsServer.start(config.daemon().http(), () -> readiness(es, store), metrics,
                        controls(new io.connectors.runtime.daemon.ConnectorControl(
                                new io.connectors.runtime.state.ConnectorRecords(store), java.time.Clock.systemUTC()))));
            } catch (RuntimeException e) {
                es.close();
                throw new UserFacingException("the operations endpoint cannot start on " + config.daemon().http().host() + ":"
                        + config.daemon().http().port() + " (" + Failures.describe(e)
                        + "); set daemon.http.port to a free port (0 takes any) or daemon.http.enabled to false");
            }
        }

        PrintWriter out = spec.commandLine().getOut();
        out.printf("Connectors daemon %s running against %s with %d connector(s). Stop it with Ctrl-C.%n",
                daemon.workerId(), es.uri(), config.connectors().size());
        if (ops != null) {
            out.printf("  operations: http://%s:%d/health, /ready, /metrics%n", config.daemon().http().host(), ops.port());
        }
        for (ConnectorConfig c : config.connectors()) {
            out.printf("  %s (%s) -> index %s; search it: curl -s '%s/%s/_search?pretty&size=3'%n", c.id(), c.type(),
                    c.index(), SyncCommand.stripSlash(es.uri().toString()), c.index());
        }
        out.printf("  jobs: connectors jobs list; state in %s and %s%n", store.alias(StateStore.Kind.CONNECTORS),
                store.alias(StateStore.Kind.JOBS));
        out.flush();

        CountDownLatch stopped = new CountDownLatch(1);
        int[] exit = {1};
        Disposable running = daemon.run().subscribe(
                report -> { },
                error -> {
                    LOG.error("The daemon stopped: {}", Failures.describe(error), error);
                    stopped.countDown();
                });
        OpsServer opsServer = ops;
        Thread hook = new Thread(() -> shutdown(running, daemon, opsServer, es, extractor, config.daemon().shutdownGrace(), stopped),
                "connectors-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
        return exit[0];
    }

    private static Mono<List<String>> readiness(ElasticsearchAccess es, StateStore store) {
        return es.handle().ping()
                .then(store.missingIndices())
                .map(missing -> {
                    List<String> reasons = new ArrayList<>();
                    missing.forEach(m -> reasons.add("state index " + m + " is missing"));
                    return reasons;
                })
                .onErrorResume(e -> Mono.just(List.of("Elasticsearch is not reachable: " + Failures.describe(e))));
    }

    private static void shutdown(Disposable running, Daemon daemon, OpsServer ops, ElasticsearchAccess es,
                                 ContentExtractor extractor, Duration grace, CountDownLatch stopped) {
        LOG.info("Stopping: suspending running jobs {}", daemon.running());
        try {
            Main.await(daemon.suspendRunning().timeout(grace.plusSeconds(5)));
        } catch (RuntimeException e) {
            LOG.warn("Suspending running jobs did not finish within {}: {}", grace, e.toString());
        }
        running.dispose();
        extractor.close();
        if (ops != null) {
            ops.close();
        }
        es.close();
        LOG.info("Stopped");
        stopped.countDown();
    }

    /** The endpoint's view of the connector controls: the same actions as {@code connectors pause|resume|restart}. */
    static OpsServer.ConnectorControls controls(io.connectors.runtime.daemon.ConnectorControl control) {
        return new OpsServer.ConnectorControls() {
            @Override
            public reactor.core.publisher.Mono<java.util.List<java.util.Map<String, Object>>> list() {
                return control.list();
            }

            @Override
            public reactor.core.publisher.Mono<java.util.Map<String, Object>> apply(String connectorId, String action,
                                                                                  String requester) {
                io.connectors.runtime.daemon.ConnectorControl.Action a = io.connectors.runtime.daemon.ConnectorControl
                        .Action.valueOf(action.toUpperCase(java.util.Locale.ROOT));
                return control.apply(connectorId, a, requester, null)
                        .map(o -> {
                            java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
                            body.put("connector", o.connectorId());
                            body.put("action", o.action().value());
                            body.put("message", o.message());
                            body.put("state", o.state());
                            return body;
                        })
                        .onErrorMap(io.connectors.runtime.daemon.ConnectorControl.UnknownConnectorException.class,
                                e -> new java.util.NoSuchElementException(e.getMessage()))
                        .onErrorMap(io.connectors.runtime.daemon.ConnectorControl.RefusedException.class,
                                e -> new IllegalStateException(e.getMessage()));
            }
        };
    }
}
