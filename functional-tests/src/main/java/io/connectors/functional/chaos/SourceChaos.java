package io.connectors.functional.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.elasticsearch.local.LocalElasticsearchLauncher;
import io.connectors.functional.DaemonProcess;
import io.connectors.functional.FunctionalConfig;
import io.connectors.functional.IndexVerifier;
import io.connectors.functional.SyncOutcome;
import io.connectors.functional.Verification;
import io.connectors.testkit.elasticsearch.TestElasticsearch;
import io.connectors.testkit.functional.SourceFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the source scenarios share: an Elasticsearch for the scenario, one daemon per sync (started, awaited,
 * stopped: no scheduled sync runs while the source is changed), the job records through {@code bin/connectors jobs},
 * and the verification. Closing it stops what it started.
 */
final class SourceChaos implements AutoCloseable {
    static final String CONNECTOR = FaultKit.CONNECTOR;
    private static final Duration SYNC_TIMEOUT = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    final ChaosContext context;
    final String scenario;
    final Path work;
    final String index;
    private final LocalElasticsearchLauncher launcher;
    final ElasticsearchEndpoint es;
    private int syncs;
    private DaemonProcess running;
    private final Cli cli;

    private SourceChaos(ChaosContext context, String scenario, Path work, LocalElasticsearchLauncher launcher,
                        ElasticsearchEndpoint es) {
        this.context = context;
        this.scenario = scenario;
        this.work = work;
        this.index = "chaos-" + scenario;
        this.launcher = launcher;
        this.es = es;
        this.cli = new Cli(context.home(), work, FunctionalConfig.environment(es));
    }

    /** A fresh work folder and Elasticsearch ({@code ES_URL} if set, else a local node, heap 512m). */
    static SourceChaos open(ChaosContext context, String scenario) throws Exception {
        return open(context, scenario, "512m");
    }

    /** A fresh work folder and Elasticsearch ({@code ES_URL} if set, else a local node with {@code heap}). */
    static SourceChaos open(ChaosContext context, String scenario, String heap) throws Exception {
        Path work = context.work(scenario);
        LocalElasticsearchLauncher launcher = null;
        ElasticsearchEndpoint es;
        String url = System.getenv("ES_URL");
        if (url != null && !url.isBlank()) {
            es = TestElasticsearch.get();
        } else {
            launcher = FaultKit.elasticsearch(context, work).heap(heap).build().start();
            es = launcher.endpoint();
        }
        SourceChaos chaos = new SourceChaos(context, scenario, work, launcher, es);
        try (var session = io.connectors.functional.ElasticsearchSession.open(es)) {
            session.deleteIndex(chaos.index);
        }
        return chaos;
    }

    /** A configuration for the connector on {@code type} without a schedule: the daemon syncs once, at start-up. */
    Path config(String name, String type, Map<String, Object> configuration, Map<String, Object> extra) throws IOException {
        return FunctionalConfig.write(work.resolve(name + ".yml"), es, CONNECTOR, type, index, configuration, extra, null);
    }

    /** Starts a daemon on {@code config}; {@link #await} waits for its sync. */
    DaemonProcess start(Path config) throws IOException {
        syncs++;
        running = DaemonProcess.start(context.home(), config, work.resolve("daemon-" + syncs + ".log"),
                context.daemonJavaOpts(), FunctionalConfig.environment(es));
        return running;
    }

    /** Waits for the daemon's full sync started at or after {@code notBefore}, then stops the daemon. */
    SyncOutcome await(DaemonProcess daemon, Instant notBefore) throws InterruptedException {
        try {
            SyncOutcome outcome = daemon.awaitSync(CONNECTOR, notBefore, SYNC_TIMEOUT);
            context.say(scenario, "sync %d: %s in %.1f s %s%s", syncs, outcome.status(),
                    outcome.duration().toMillis() / 1000.0, outcome.counts(),
                    outcome.error() == null ? "" : " (" + outcome.error() + ")");
            return outcome;
        } finally {
            daemon.stop();
            running = null;
        }
    }

    /** One full sync in a daemon of its own. */
    SyncOutcome sync(Path config) throws Exception {
        Instant t = Instant.now();
        return await(start(config), t);
    }

    Verification verify(SourceFixture truth) throws Exception {
        Verification v = IndexVerifier.verify(es, index, truth);
        context.say(scenario, "verify: %s", v.summary());
        v.firstDifferences().stream().limit(5).forEach(d -> context.say(scenario, "  %s", d));
        return v;
    }

    /** The connector's jobs, newest first, as {@code bin/connectors jobs list --json} prints them. */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> jobs(Path config) throws Exception {
        String out = cli(config, "jobs", "list", "--connector", CONNECTOR, "--json", "--limit", "50");
        return JSON.readValue(out, List.class);
    }

    /** {@code bin/connectors -c config <args>}: its standard output; fails on a non-zero exit. */
    String cli(Path config, String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "-c";
        all[1] = config.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        Cli.Result r = cli.run(Duration.ofMinutes(2), all);
        if (r.exit() != 0) {
            throw new IllegalStateException("connectors " + String.join(" ", args) + " failed (exit " + r.exit() + "): "
                    + r.err());
        }
        return r.out();
    }

    /** The lines of the daemon logs so far that contain {@code text}. */
    List<String> logLines(String text) throws IOException {
        List<String> found = new ArrayList<>();
        for (int i = 1; i <= syncs; i++) {
            Path log = work.resolve("daemon-" + i + ".log");
            if (Files.exists(log)) {
                Files.readAllLines(log).stream().filter(l -> l.contains(text)).forEach(found::add);
            }
        }
        return found;
    }

    @Override
    public void close() throws Exception {
        if (running != null) {
            running.stop();
        }
        if (launcher != null) {
            launcher.stop();
        }
    }
}
