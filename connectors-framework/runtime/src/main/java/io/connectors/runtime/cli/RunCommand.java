package io.connectors.runtime.cli;

import io.connectors.runtime.SourceRegistry;
import io.connectors.runtime.config.ConnectorConfig;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.daemon.Daemon;
import io.connectors.runtime.sync.SyncRunner;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import reactor.core.Disposable;

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
        ElasticsearchAccess es = ElasticsearchAccess.openAndPing(config.elasticsearch());
        Daemon daemon = new Daemon(config, Daemon.FullSyncs.of(new SyncRunner(es.handle().async(), config.bulk(), config.sync())));

        PrintWriter out = spec.commandLine().getOut();
        out.printf("Connectors daemon running against %s with %d connector(s). Stop it with Ctrl-C.%n",
                es.uri(), config.connectors().size());
        for (ConnectorConfig c : config.connectors()) {
            out.printf("  %s (%s) -> index %s; search it: curl -s '%s/%s/_search?pretty&size=3'%n", c.id(), c.type(),
                    c.index(), SyncCommand.stripSlash(es.uri().toString()), c.index());
        }
        out.flush();

        CountDownLatch stopped = new CountDownLatch(1);
        Disposable running = daemon.run().subscribe(
                report -> { },
                error -> {
                    LOG.error("The daemon stopped on an unexpected error", error);
                    stopped.countDown();
                });
        Thread hook = new Thread(() -> shutdown(running, daemon, es, config.daemon().shutdownGrace(), stopped),
                "connectors-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
        return 1;
    }

    private static void shutdown(Disposable running, Daemon daemon, ElasticsearchAccess es, Duration grace,
                                 CountDownLatch stopped) {
        LOG.info("Stopping: canceling running syncs {}", daemon.running());
        running.dispose();
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            while (!daemon.running().isEmpty() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!daemon.running().isEmpty()) {
            LOG.warn("Syncs still running after {}: {}", grace, daemon.running());
        }
        es.close();
        LOG.info("Stopped");
        stopped.countDown();
    }
}
