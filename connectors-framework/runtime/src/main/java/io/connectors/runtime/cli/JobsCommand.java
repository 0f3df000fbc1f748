package io.connectors.runtime.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.connectors.runtime.SourceRegistry;
import io.connectors.runtime.config.ConnectorConfig;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.state.ConnectorRecord;
import io.connectors.runtime.state.ConnectorRecords;
import io.connectors.runtime.state.JobRecord;
import io.connectors.runtime.state.JobRecords;
import io.connectors.runtime.state.JobStatus;
import io.connectors.runtime.state.JobType;
import io.connectors.runtime.state.StateStore.Versioned;
import io.connectors.runtime.state.StateStore;
import io.connectors.runtime.sync.SyncRunner;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code connectors jobs}: sync jobs in the state index of a running cluster: start one on demand, list, view,
 * cancel. Daemons pick up started jobs; these commands never run a sync themselves.
 */
@Command(name = "jobs", description = "Start, list, view and cancel sync jobs (run by the daemons).",
        subcommands = {JobsCommand.Start.class, JobsCommand.ListJobs.class, JobsCommand.View.class, JobsCommand.Cancel.class})
final class JobsCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @ParentCommand
    ConnectorsCommand parent;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The state store of the configured cluster, which must already be running. */
    record Session(ConnectorsConfig config, ElasticsearchAccess es, StateStore store) implements AutoCloseable {
        JobRecords jobs() {
            return new JobRecords(store);
        }

        /** Opens the state of the cluster {@code root}'s configuration names; fails when no daemon created it yet. */
        static Session open(ConnectorsCommand root) {
            ConnectorsConfig config = root.loadConfig(SourceRegistry.load());
            ElasticsearchAccess es = ElasticsearchAccess.openRunning(config.elasticsearch());
            StateStore store = new StateStore(es.handle().async(), config.daemon().statePrefix());
            List<String> missing = Main.await(store.missingIndices());
            if (!missing.isEmpty()) {
                es.close();
                throw new UserFacingException("no job state in " + es.uri() + " (missing " + missing
                        + "); start a daemon first: connectors run");
            }
            return new Session(config, es, store);
        }

        @Override
        public void close() {
            es.close();
        }
    }

    Session open() {
        return Session.open(parent);
    }

    static String table(List<Versioned<JobRecord>> jobs) {
        return table(jobs, Instant.now());
    }

    static String table(List<Versioned<JobRecord>> jobs, Instant now) {
        // STATUS is as wide as the longest status, completed_with_errors.
        String format = "%-48s %-16s %-14s %-10s %-21s %-20s %9s %10s %8s %s%n";
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, format,
                "JOB", "CONNECTOR", "TYPE", "TRIGGER", "STATUS", "CREATED", "DURATION", "INDEXED", "DELETED", "ERROR"));
        for (Versioned<JobRecord> v : jobs) {
            JobRecord d = v.doc();
            String error = d.error();
            sb.append(String.format(Locale.ROOT, format, v.id(),
                    d.connectorId(), d.type().value(), d.trigger() == null ? "-" : d.trigger().value(), d.status().value(),
                    String.valueOf(d.createdAt()).replaceFirst("\\.\\d+Z$", "Z"), duration(d, now),
                    value(d.counts().get("indexed")), value(d.counts().get("deleted")), error == null ? "" : error));
        }
        return sb.toString();
    }

    /** How long the job ran (a running one: so far); blank when it never started. */
    static String duration(JobRecord job, Instant now) {
        if (job.startedAt() == null) {
            return "";
        }
        Instant end = job.completedAt() != null ? job.completedAt() : job.status().terminal()
                || job.status() == JobStatus.SUSPENDED ? job.lastHeartbeatAt() : now;
        return end == null ? "" : io.connectors.runtime.util.Human.elapsed(java.time.Duration.between(job.startedAt(), end));
    }

    private static String value(Object o) {
        return o == null ? "-" : o.toString();
    }

    /**
     * The job type named on the command line, or a message listing the ones that can be started from it. Real-time
     * jobs are refused: the daemons create, run and restart them for {@code realtime: true} connectors.
     */
    static JobType jobType(String name) {
        List<String> startable = java.util.Arrays.stream(JobType.values()).filter(t -> t != JobType.REALTIME)
                .map(JobType::value).toList();
        JobType type = JobType.parse(name).orElseThrow(() -> new UsageException("unknown job type '" + name
                + "'; use " + startable));
        if (type == JobType.REALTIME) {
            throw new UserFacingException("real-time jobs are run by the daemons, not started from the command line: set "
                    + "'realtime: true' on the connector in the configuration file and run `connectors run`; "
                    + "this command starts " + startable);
        }
        return type;
    }

    /** The configured connector with this id, or a usage error listing the configured ones. */
    static ConnectorConfig connector(ConnectorsConfig config, String connectorId) {
        return config.connector(connectorId).orElseThrow(() -> new UsageException("no connector '" + connectorId
                + "' in " + config.origin() + "; configured connectors: "
                + config.connectors().stream().map(ConnectorConfig::id).toList()));
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The exit code of a command that ran or waited for a job that ended with this status: 0 when it completed or was
     * skipped, {@link Main#EXIT_COMPLETED_WITH_ERRORS} when it completed with documents refused, else 1.
     */
    static int exitCode(String status) {
        if (JobStatus.COMPLETED.value().equals(status) || JobStatus.SKIPPED.value().equals(status)) {
            return 0;
        }
        return JobStatus.COMPLETED_WITH_ERRORS.value().equals(status) ? Main.EXIT_COMPLETED_WITH_ERRORS : 1;
    }

    /** The line that says a job left refused documents out of the index, and where to see them. */
    static String refused(Object failed, String jobId) {
        String n = value(failed);
        return n + ("1".equals(n) ? " document was" : " documents were") + " refused by Elasticsearch and "
                + ("1".equals(n) ? "is" : "are") + " not in the index; see which and why: connectors jobs view " + jobId;
    }

    /**
     * Polls a job until it ends, printing each status it goes through; its exit code is {@link #exitCode}'s (0 when it
     * completed or was skipped, 3 when it completed with documents refused).
     */
    static int await(JobRecords jobs, String jobId, Duration timeout, PrintWriter out) {
        String[] last = {null};
        Versioned<JobRecord> end = Main.await(Flux.interval(Duration.ZERO, Duration.ofMillis(500))
                .concatMap(t -> jobs.get(jobId).switchIfEmpty(Mono.error(() -> new UserFacingException("job " + jobId + " vanished"))), 1)
                .doOnNext(v -> {
                    String status = v.doc().status().value();
                    if (!status.equals(last[0])) {
                        out.printf("%s: %s%n", jobId, status);
                        out.flush();
                        last[0] = status;
                    }
                })
                .filter(v -> v.doc().status().terminal())
                .next()
                .timeout(timeout, Mono.error(() -> new UserFacingException("job " + jobId + " did not end within " + timeout
                        + "; it keeps running (see: connectors jobs view " + jobId + ")"))));
        JobStatus status = end.doc().status();
        out.printf("%s: %s%s%n", status.value(), io.connectors.runtime.util.Human.counts(end.doc().counts()),
                duration(end.doc(), Instant.now()).isEmpty() ? "" : ", in " + duration(end.doc(), Instant.now()));
        if (end.doc().error() != null) {
            out.printf("error: %s%n", end.doc().error());
        }
        out.print(documentProblems(end.doc()));
        if (status == JobStatus.COMPLETED_WITH_ERRORS) {
            out.println(refused(end.doc().counts().get("failed"), jobId));
        }
        out.flush();
        return exitCode(status.value());
    }

    /**
     * The job's samples of failed and dropped documents, one line each ("failed documents (first 2 of 7):" then
     * "  index <id>: <error type>: <reason>"); empty when it has none.
     */
    static String documentProblems(JobRecord job) {
        StringBuilder sb = new StringBuilder();
        for (String kind : List.of("failed", "dropped", "not_extracted")) {
            List<Map<String, Object>> samples = switch (kind) {
                case "failed" -> job.failedDocuments();
                case "dropped" -> job.droppedDocuments();
                default -> job.notExtractedDocuments();
            };
            if (samples.isEmpty()) {
                continue;
            }
            String title = kind.equals("not_extracted") ? "documents indexed without their content" : kind + " documents";
            sb.append(title).append(" (first ").append(samples.size()).append(" of ")
                    .append(value(job.counts().get(kind))).append("):").append(System.lineSeparator());
            for (Map<String, Object> p : samples) {
                sb.append("  ").append(p.get("operation")).append(' ').append(p.get("id")).append(": ")
                        .append(p.get("error_type")).append(": ").append(p.get("reason")).append(System.lineSeparator());
            }
        }
        return sb.toString();
    }

    @Command(name = "start", description = "Queue a sync job for a connector; a daemon serving the connector runs it.")
    static final class Start implements Callable<Integer> {
        @ParentCommand
        JobsCommand jobs;

        @Parameters(paramLabel = "CONNECTOR", description = "The id of a connector in the configuration file, or of one a "
                + "running daemon serves (connectors status lists them).")
        String connectorId;

        @Option(names = "--type", paramLabel = "TYPE", defaultValue = "full",
                description = "full, incremental or access_control (default: ${DEFAULT-VALUE}); real-time jobs are run by the daemons.")
        String type;

        @Option(names = "--wait", description = "Wait until the job ends and exit 0 only if it completed (or was skipped); "
                + "3 if it completed with documents refused by Elasticsearch.")
        boolean wait;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT1H",
                description = "With --wait: how long to wait: 30s, 5m, 1h or ISO-8601 (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() {
            JobType jobType = jobType(type);
            ConnectorsConfig config = jobs.parent.loadConfig(SourceRegistry.load());
            try (Session s = openFor(config)) {
                Instant now = Instant.now();
                Map<String, Object> snapshot = snapshot(s, config.connector(connectorId).orElse(null), connectorId, now);
                String id = JobRecords.onDemandId(connectorId, jobType);
                Main.await(s.jobs().create(JobRecords.newJob(id, snapshot, jobType, JobRecord.Trigger.ON_DEMAND,
                        JobStatus.PENDING, "started from the command line", null, now), true));
                PrintWriter out = jobs.spec.commandLine().getOut();
                out.println(id);
                out.flush();
                return wait ? await(s.jobs(), id, timeout, out) : 0;
            }
        }

        /**
         * The session; for a connector this file does not configure, a cluster that cannot be asked whether a daemon
         * serves it makes the unknown connector a usage error, which says why it was not found there either.
         */
        private Session openFor(ConnectorsConfig config) {
            try {
                return jobs.open();
            } catch (UserFacingException e) {
                if (config.connector(connectorId).isPresent()) {
                    throw e;
                }
                throw new UsageException("no connector '" + connectorId + "' in " + config.origin()
                        + "; configured connectors: " + config.connectors().stream().map(ConnectorConfig::id).toList()
                        + "; no running daemon serving one could be looked for: " + e.getMessage());
            }
        }

        /**
         * What the job records of its connector: the record of the live daemon serving it when there is one (it runs
         * the job with its own configuration, which need not be this file's), else this file's connector, registered
         * first if it never was. A connector neither configured here nor served by a live daemon is a usage error.
         */
        private static Map<String, Object> snapshot(Session s, ConnectorConfig local, String connectorId, Instant now) {
            ConnectorRecords connectors = new ConnectorRecords(s.store());
            Versioned<ConnectorRecord> stored = Main.await(connectors.get(connectorId));
            boolean served = stored != null && ConnectorRecords.servedBy(stored.doc(), now).isPresent();
            if (local == null) {
                if (!served) {
                    throw new UsageException("no connector '" + connectorId + "' in " + s.config().origin()
                            + (stored == null ? ", and none is recorded in " + s.es().uri()
                            : ", and no running daemon serves it (its record was last marked served at "
                            + (stored.doc().servedBy() == null ? "no time" : stored.doc().servedBy().seenAt()) + ")")
                            + "; configured connectors: " + s.config().connectors().stream().map(ConnectorConfig::id).toList()
                            + ", served by running daemons: " + servedIds(connectors, now));
                }
                return ConnectorRecords.snapshot(stored.doc());
            }
            if (stored == null) {
                Main.await(connectors.register(local, SyncRunner.fingerprint(local), now));
            } else if (ConnectorRecords.servedWithOtherConfiguration(stored.doc(), ConnectorRecords.recordFingerprint(local),
                    now).isPresent()) {
                return ConnectorRecords.snapshot(stored.doc());
            }
            return ConnectorRecords.snapshot(local, local.syncRules());
        }

        private static List<String> servedIds(ConnectorRecords connectors, Instant now) {
            return Main.await(connectors.all(1000)).stream()
                    .filter(v -> ConnectorRecords.servedBy(v.doc(), now).isPresent())
                    .map(Versioned::id).toList();
        }
    }

    @Command(name = "list", description = "List recent jobs, newest first.")
    static final class ListJobs implements Callable<Integer> {
        @ParentCommand
        JobsCommand jobs;

        @Option(names = "--connector", paramLabel = "ID", description = "Only this connector's jobs.")
        String connector;

        @Option(names = "--status", paramLabel = "STATUS", description = "Only jobs in this status (pending, in_progress, "
                + "canceling, canceled, suspended, completed, completed_with_errors, error, skipped).")
        String status;

        @Option(names = "--limit", defaultValue = "20", description = "At most this many (default: ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--json", description = "Print the job records as JSON.")
        boolean json;

        @Override
        public Integer call() {
            Optional<JobStatus> st;
            try {
                st = Optional.ofNullable(status).map(JobStatus::of);
            } catch (IllegalArgumentException e) {
                throw new UsageException("unknown status '" + status + "'; use one of "
                        + java.util.Arrays.stream(JobStatus.values()).map(JobStatus::value).toList());
            }
            if (limit < 1 || limit > 10_000) {
                throw new UsageException("--limit must be between 1 and 10000, got " + limit);
            }
            try (Session s = jobs.open()) {
                Main.await(s.store().refresh(StateStore.Kind.JOBS));
                List<Versioned<JobRecord>> found = Main.await(s.jobs().recent(Optional.ofNullable(connector), st, limit));
                PrintWriter out = jobs.spec.commandLine().getOut();
                out.print(json ? json(found.stream().map(v -> v.doc().toJson()).toList()) + "\n" : table(found));
                out.flush();
                return 0;
            }
        }
    }

    @Command(name = "view", description = "Show one job's record as JSON, or the splits of a split full sync as a table.")
    static final class View implements Callable<Integer> {
        @ParentCommand
        JobsCommand jobs;

        @Parameters(paramLabel = "JOB", description = "The job id (see: connectors jobs list).")
        String jobId;

        @Option(names = "--splits", description = "Show the job's splits (range, state, worker, position, counts) as a table.")
        boolean splits;

        @Override
        public Integer call() {
            try (Session s = jobs.open()) {
                Versioned<JobRecord> v = Main.await(s.jobs().get(jobId));
                if (v == null) {
                    throw new UserFacingException("no job '" + jobId + "'; see: connectors jobs list");
                }
                PrintWriter out = jobs.spec.commandLine().getOut();
                if (splits) {
                    out.print(splitTable(v.doc()));
                } else {
                    out.println(json(v.doc().toJson()));
                }
                out.flush();
                return 0;
            }
        }
    }

    /** The splits of a job, one line each, with a total line; a sentence for a job without splits. */
    static String splitTable(JobRecord job) {
        if (job.splits().isEmpty()) {
            return "job " + job.jobId() + " has no splits (its source reads as one stream, or it has not planned yet)"
                    + System.lineSeparator();
        }
        StringBuilder out = new StringBuilder(String.format("%-16s %-8s %-14s %10s %10s %5s  %-40s %s%n", "SPLIT", "STATE",
                "WORKER", "SEEN", "WRITTEN", "READS", "RANGE", "POSITION"));
        long seen = 0;
        long written = 0;
        for (io.connectors.runtime.state.SplitRecord s : job.splits()) {
            out.append(String.format("%-16s %-8s %-14s %10d %10d %5d  %-40s %s%n", s.id(), s.state().value(),
                    s.worker() == null ? "-" : s.worker(), s.seen(), s.written(), s.reads(), s.description(),
                    s.position() == null ? "-" : s.position()));
            seen += s.seen();
            written += s.written();
        }
        out.append(String.format("%d splits, %d open; %d documents covered, %d written%n", job.splits().size(),
                job.openSplits(), seen, written));
        return out.toString();
    }

    @Command(name = "cancel", description = "Cancel a job: a queued one at once, a running one within a few seconds.")
    static final class Cancel implements Callable<Integer> {
        @ParentCommand
        JobsCommand jobs;

        @Parameters(paramLabel = "JOB", description = "The job id (see: connectors jobs list).")
        String jobId;

        @Option(names = "--wait", description = "Wait until the job has stopped.")
        boolean wait;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT1M",
                description = "With --wait: how long to wait: 30s, 5m, 1h or ISO-8601 (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() {
            try (Session s = jobs.open()) {
                Versioned<JobRecord> v;
                try {
                    v = Main.await(s.jobs().requestCancel(jobId, Instant.now()));
                } catch (java.util.NoSuchElementException e) {
                    throw new UserFacingException("no job '" + jobId + "'; see: connectors jobs list");
                } catch (IllegalStateException e) {
                    throw new UserFacingException(e.getMessage());
                }
                PrintWriter out = jobs.spec.commandLine().getOut();
                out.printf("%s: %s%n", jobId, v.doc().status().value());
                out.flush();
                if (wait) {
                    await(s.jobs(), jobId, timeout, out);
                }
                return 0;
            }
        }
    }
}
