package io.connectors.runtime.cli;

import io.connectors.runtime.SourceRegistry;
import io.connectors.runtime.config.ConnectorConfig;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.daemon.Daemon;
import io.connectors.runtime.ops.DaemonMetrics;
import io.connectors.runtime.ops.Logging;
import io.connectors.runtime.state.JobType;
import io.connectors.runtime.state.StateStore;
import io.connectors.runtime.sync.SyncReport;
import io.connectors.runtime.sync.SyncRunner;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code connectors sync <connector>}: one job now, in this process, with progress and a summary. It is recorded
 * in the jobs index and holds the connector's lock like a daemon's job, so it never runs alongside one.
 */
@Command(name = "sync", description = "Run one sync of a connector now (recorded as an on-demand job), print progress and a summary.")
final class SyncCommand implements Callable<Integer> {
    /** Progress lines in {@code CONNECTORS_LOG_FORMAT=ecs}, on the log stream. */
    private static final org.slf4j.Logger PROGRESS = org.slf4j.LoggerFactory.getLogger("io.connectors.runtime.sync.progress");
    @ParentCommand
    ConnectorsCommand parent;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "CONNECTOR", description = "The id of a connector in the configuration file.")
    String connectorId;

    @picocli.CommandLine.Option(names = "--type", paramLabel = "TYPE", defaultValue = "full",
            description = "full, incremental or access_control (default: ${DEFAULT-VALUE}); real-time jobs are run by the daemons.")
    String type;

    @Override
    public Integer call() {
        JobType jobType = JobsCommand.jobType(type);
        ConnectorsConfig config = parent.loadConfig(SourceRegistry.load());
        ConnectorConfig connector = JobsCommand.connector(config, connectorId);
        PrintWriter err = spec.commandLine().getErr();
        DaemonMetrics metrics = new DaemonMetrics();
        try (ElasticsearchAccess es = ElasticsearchAccess.openAndPing(config.elasticsearch());
             io.connectors.runtime.sync.ContentExtractor extractor = new io.connectors.runtime.sync.ContentExtractor(
                     config.extraction(), config.sync().tempDir(), metrics.extractionListener())) {
            es.checkPrivileges(config);
            io.connectors.runtime.sync.SpillFiles.removeStale(config.sync().tempDir());
            StateStore store = new StateStore(es.handle().async(), config.daemon().statePrefix());
            Daemon daemon = new Daemon(config, store,
                    new SyncRunner(es.handle().async(), config.bulk(), config.sync(), metrics.bulkListener(), extractor),
                    metrics);
            io.connectors.runtime.util.ProgressLine progress = new io.connectors.runtime.util.ProgressLine(
                    jobType == JobType.FULL ? Main.await(Daemon.expectedFullRead(store, connector.id())) : 0,
                    System::nanoTime);
            java.util.concurrent.atomic.AtomicReference<java.util.Map<String, Long>> lastCounts =
                    new java.util.concurrent.atomic.AtomicReference<>(java.util.Map.of());
            // Ctrl-C or SIGTERM: the job is stopped and recorded as canceled, not left for the heartbeat timeout, and
            // what it did so far is said.
            Thread hook = new Thread(() -> {
                Main.await(daemon.cancelRunning().timeout(config.daemon().shutdownGrace()));
                err.println(interrupted(connector.id(), lastCounts.get(), progress.elapsed()));
                err.flush();
            }, "connectors-sync-cancel");
            Runtime.getRuntime().addShutdownHook(hook);
            long start = System.nanoTime();
            Daemon.OnDemandRun run;
            try {
                boolean ecs = Logging.activeFormat() == Logging.Format.ECS;
                run = Main.await(daemon.runNow(connector.id(), jobType, s -> {
                    double seconds = Math.max(1, (System.nanoTime() - start) / 1_000_000) / 1000.0;
                    java.util.Map<String, Long> counts = s.snapshot();
                    lastCounts.set(counts);
                    String line = connector.id() + ": " + progress.line(counts);
                    if (ecs) {
                        // One ECS line on the log stream, the facts as fields (connector.id and job.id come with it).
                        java.util.Map<String, Long> fields = new java.util.LinkedHashMap<>(counts);
                        fields.put("elapsed_ms", (System.nanoTime() - start) / 1_000_000);
                        fields.put("docs_per_second", Math.round(s.seen() / seconds));
                        io.connectors.runtime.util.LogContext.withCounts(fields, () -> PROGRESS.info("{}", line));
                    } else {
                        err.println(line);
                        err.flush();
                    }
                }));
            } catch (IllegalStateException e) {
                throw new UserFacingException(e.getMessage());
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // The hook is running: it records the cancel.
                }
            }
            SyncReport report = run.report();
            PrintWriter out = spec.commandLine().getOut();
            out.println(report.summary());
            if (report.status() == SyncReport.Status.COMPLETED_WITH_ERRORS) {
                out.println(JobsCommand.refused(report.counts().get("failed"), run.jobId()));
            }
            if (es.startedHere()) {
                // The node stops with this process: a search URL would point at nothing.
                out.printf("The local Elasticsearch this command started stops with it; to search the index, run the daemon"
                        + " (connectors run), which starts it again on this data, then: curl -s '%s/%s/_search?pretty&size=3'%n",
                        stripSlash(es.uri().toString()), connector.index());
            } else {
                out.printf("Search it: curl -s '%s/%s/_search?pretty&size=3'%n", stripSlash(es.uri().toString()), connector.index());
            }
            out.flush();
            return JobsCommand.exitCode(report.status().value());
        }
    }

    /** What Ctrl-C leaves behind, said before the process exits. */
    static String interrupted(String connectorId, java.util.Map<String, Long> counts, java.time.Duration elapsed) {
        return connectorId + ": interrupted after " + io.connectors.runtime.util.Human.elapsed(elapsed) + ", "
                + (counts.isEmpty() ? "before any progress was reported" : io.connectors.runtime.util.Human.counts(counts))
                + ". The job is recorded canceled (connectors jobs list); what was written stays in the index, and the"
                + " next full sync finds it unchanged and deletes nothing it did not see.";
    }

    static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
