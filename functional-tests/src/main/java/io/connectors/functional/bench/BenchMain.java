package io.connectors.functional.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.elasticsearch.local.FileTrees;
import io.connectors.elasticsearch.local.LocalElasticsearchLauncher;
import io.connectors.functional.DaemonProcess;
import io.connectors.functional.FixtureLoader;
import io.connectors.functional.FunctionalConfig;
import io.connectors.functional.IndexVerifier;
import io.connectors.functional.MemoryPeak;
import io.connectors.functional.ProgressPoint;
import io.connectors.functional.SyncOutcome;
import io.connectors.functional.Verification;
import io.connectors.runtime.SourceRegistry;
import io.connectors.runtime.sync.DocumentSerializer;
import io.connectors.spi.BaseDataSource;
import io.connectors.spi.DataSourceProvider;
import io.connectors.spi.DeferredSource;
import io.connectors.spi.MappingContributor;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.rules.SyncRules;
import io.connectors.testkit.functional.RealtimeBackend;
import io.connectors.testkit.functional.SourceFixture;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code make bench NAME=<type> [SIZE=...]}: measures, in one run on one machine so that the ratios mean something,
 * the Elasticsearch ceiling, the source ceiling, a full sync through the daemon process, a no-change re-sync, the
 * daemon ceiling (the same full sync against a {@link StandInElasticsearch} that answers at once), a full re-sync
 * and an incremental sync (where the source has one) of 1% changed, the daemon's peak memory within each sync and,
 * with {@code SIZE=flatness}, the daemon's memory at 100,000 and 1,000,000 documents; with {@code SIZE=realtime}
 * ({@code NAME=postgresql} or {@code NAME=mysql}), only the change-to-searchable latency of a real-time connector ({@link RealtimeLatency}).
 * Writes {@code bench-<type>.md}, {@code bench-<type>.json}, {@code bench-<type>-throughput.png} and
 * {@code bench-<type>-cpu.png} into {@code functional-tests/target}, and prints the table.
 *
 * <p>This is a process entry point: it blocks, by design.
 */
public final class BenchMain {
    private static final Logger LOG = LoggerFactory.getLogger(BenchMain.class);

    /** Same length as the daemon's 12-hex-digit configuration fingerprint, so the bodies have the same size. */
    static final String FINGERPRINT = "benchmark000";
    static final List<Integer> BATCH_SIZES = List.of(500, 1000, 2000);
    static final List<Integer> CONCURRENCIES = List.of(1, 2, 4);
    static final int WARM_UP_DOCUMENTS = 20_000;
    static final int SOURCE_RUNS = 2;
    static final double FULL_SYNC_TARGET = 0.9;
    static final double NO_CHANGE_TARGET = 0.1;
    static final double INCREMENTAL_TARGET = 0.05;
    static final double CHANGED_FULL_RESYNC_TARGET = 0.15;
    /** Documents per second per core of daemon CPU, with documents of 1 to 2.5 KB, against the stand-in. */
    static final double DAEMON_CEILING_PER_CORE_TARGET = 50_000;
    static final long PEAK_RSS_TARGET_BYTES = 256L << 20;
    static final double FLATNESS_TARGET = 1.2;
    /** Splits read at once in the comparison with one, and the speed-up expected of them on 2 cores. */
    static final int SPLITS_PARALLEL = 4;
    static final double SPLITS_SPEEDUP_TARGET = 1.8;
    /** A measurement starts once other processes used at most this many cores over the last 5 s (or after a while). */
    static final double QUIET_CORES = 0.25;

    private final BenchOptions options;
    private final String connectorId;
    private final String index;
    private final BenchReport report;
    private ElasticsearchEndpoint endpoint;
    /** Bytes of {@code _bulk} NDJSON per document, from the Elasticsearch ceiling's corpus; 0 until known. */
    private long bulkBytesPerDocument;
    private ElasticsearchHttp es;
    private CpuSampler cpu;
    private String esVersion = "unknown";
    private final List<List<String>> syncRows = new ArrayList<>();
    private final List<List<String>> cpuRows = new ArrayList<>();
    private final Map<String, Object> syncDetails = new LinkedHashMap<>();
    private final List<List<String>> quietRows = new ArrayList<>();
    private final List<List<String>> memoryRows = new ArrayList<>();
    private final Map<DaemonProcess, Path> gcLogs = new java.util.HashMap<>();
    private final Map<String, GcLog.Summary> gcByRun = new LinkedHashMap<>();
    private boolean failed;

    private BenchMain(BenchOptions options) {
        this.options = options;
        this.connectorId = "bench-" + options.source();
        this.index = "bench-" + options.source().toLowerCase(Locale.ROOT);
        this.report = new BenchReport(options.source());
    }

    /**
     * What one daemon process did: its sync, the progress it logged, its memory (peaks since the process started,
     * and within the sync) and the CPU split of the sync.
     */
    record DaemonRun(String label, SyncOutcome outcome, List<ProgressPoint> progress,
                     MemoryPeak memory, MemoryPeak syncMemory, CpuSampler.Split cpu) {
        double seconds() {
            return Duration.between(outcome.started(), outcome.finished()).toNanos() / 1e9;
        }

        long seen() {
            return outcome.counts().getOrDefault("seen", 0L);
        }

        double docsPerSecond() {
            return seen() / seconds();
        }

        boolean completed() {
            return outcome.completed();
        }
    }

    public static void main(String[] args) {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        int exit;
        try {
            exit = new BenchMain(options).run();
        } catch (Exception e) {
            LOG.error("The benchmark failed", e);
            exit = 1;
        }
        System.exit(exit);
    }

    private int run() throws Exception {
        long benchStarted = System.nanoTime();
        prepareWorkDir();
        LocalElasticsearchLauncher launcher = null;
        boolean finished = false;
        try {
            launcher = startElasticsearch();
            es = new ElasticsearchHttp(endpoint);
            cpu = new CpuSampler(es);
            conditions();
            // Not try-with-resources: SourceFixture.close() may throw InterruptedException, which javac warns about.
            SourceFixture fixture = FixtureLoader.load(options.source());
            try {
                Path fixtureDir = Files.createDirectories(options.workDir().resolve("fixture"));
                if (options.realtime()) {
                    if (!(fixture instanceof RealtimeBackend backend)) {
                        throw new IllegalStateException("the " + options.source() + " fixture cannot start a backend a"
                                + " real-time connector can follow (it is no RealtimeBackend)");
                    }
                    backend.startForRealtime(fixtureDir);
                    new RealtimeLatency(options, endpoint, report, realtimeBench(), connectorId, index).measure(fixture);
                } else {
                    fixture.start(fixtureDir);
                    measure(fixture);
                }
            } finally {
                fixture.close();
            }
            finished = true;
        } finally {
            if (cpu != null) {
                cpu.close();
            }
            if (launcher != null) {
                launcher.stop();
            }
            deleteWorkDir();
            if (!finished) {
                report.note("The benchmark stopped early (see its output); the figures above are those measured before.");
                failed = true;
            }
            writeReport(benchStarted);
        }
        return failed ? 1 : 0;
    }

    private void writeReport(long benchStarted) throws IOException {
        report.condition("bench wall time", minutes((System.nanoTime() - benchStarted) / 1e9));
        report.section(new BenchReport.Section("Daemon syncs",
                List.of("Run", "Status", "Wall time", "Docs/s", "Counts", "Peak heap in the sync", "Peak RSS in the sync",
                        "Peak heap since the daemon started", "Peak RSS since the daemon started"), syncRows));
        report.section(new BenchReport.Section("Daemon memory (heap figures from its GC log during the sync; peaks since"
                + " the daemon started from jstat and /proc)", List.of("Run", "GC pauses", "Heap after the forced full GC",
                "Max heap after GC",
                "Max heap before GC", "Max heap committed", "Peak heap in use (jstat)", "Peak RSS"), memoryRows));
        report.section(new BenchReport.Section("Where the CPU went (average cores in use; the machine has "
                + Runtime.getRuntime().availableProcessors() + ")",
                List.of("Window", "Seconds", "Elasticsearch", "Daemon", "Bench JVM", "Other processes", "Steal", "Machine busy"),
                cpuRows));
        report.section(new BenchReport.Section("Waiting for a quiet machine before each measurement (other processes"
                + " at most " + QUIET_CORES + " cores over 5 s, waiting at most " + options.quietMaxWait().toSeconds() + " s)",
                List.of("Measurement", "Waited", "Other processes' cores when it started"), quietRows));
        report.detail("syncs", syncDetails);
        Path md = report.write(options.outDir());
        System.out.println();
        System.out.println(report.markdown());
        System.out.println("Written: " + md + ", " + md.resolveSibling("bench-" + options.source() + ".json") + ", "
                + md.resolveSibling("bench-" + options.source() + "-throughput.png") + ", "
                + md.resolveSibling("bench-" + options.source() + "-cpu.png"));
    }

    private void measure(SourceFixture fixture) throws Exception {
        int n = options.documents();
        long t = System.nanoTime();
        fixture.load(n);
        LOG.info("Loaded {} documents into the {} fixture in {}", n, options.source(), minutes((System.nanoTime() - t) / 1e9));
        report.condition("fixture load (" + String.format(Locale.ROOT, "%,d", n) + " documents)",
                minutes((System.nanoTime() - t) / 1e9));

        double sourceRate = sourceCeiling(fixture, n);

        ElasticsearchCeiling.Trial best;
        Map<String, Object> indexBody;
        try (Corpus corpus = corpus(fixture)) {
            indexBody = io.connectors.runtime.sync.TargetIndex.createBody(corpus.mappings());
            best = elasticsearchCeiling(corpus.corpus(), indexBody);
        }
        double ceiling = best == null ? Double.NaN : Math.min(best.docsPerSecond(), sourceRate);

        // Full sync into an empty index, then the same sync again with nothing changed, in one daemon process that
        // runs on a frequent schedule: the re-sync runs in a warm, long-running daemon, as it does for users.
        Path scheduled = FunctionalConfig.write(options.workDir().resolve("config-scheduled.yml"), endpoint, connectorId,
                options.source(), index, fixture.connectorConfiguration(), Map.of());
        DaemonRun full = null;
        DaemonRun again = null;
        for (int attempt = 1; attempt <= ElasticsearchCeiling.MAX_ATTEMPTS; attempt++) {
            if (attempt > 1) {
                LOG.info("Other processes used more than {} cores during the daemon's syncs; running them again",
                        ElasticsearchCeiling.DISTURBED_CORES);
            }
            String suffix = attempt == 1 ? "" : " (run " + attempt + ")";
            es.deleteIndex(index);
            quiet("full sync" + suffix);
            Instant notBefore = Instant.now();
            DaemonProcess daemon = startDaemon(scheduled, "full-and-no-change" + (attempt == 1 ? "" : "-" + attempt));
            try {
                full = awaitSync(daemon, "full sync" + suffix, notBefore, n);
                again = awaitSync(daemon, "no-change re-sync" + suffix, full.outcome().finished(), n);
            } finally {
                daemon.stop();
            }
            collections(daemon, full, again);
            if (!disturbed(full) && !disturbed(again)) {
                break;
            }
        }
        verify(fixture, "after the full sync and the no-change re-sync");
        checkMapping(indexBody);
        report.figure(Figure.info("full_sync_rate", "Full sync through the daemon", full.docsPerSecond(),
                Figure.rate(full.docsPerSecond()) + String.format(Locale.ROOT, " (%,d docs in %.1f s); ", full.seen(),
                        full.seconds()) + memoryText(full)));
        if (!Double.isNaN(ceiling) && full.completed()) {
            double ratio = full.docsPerSecond() / ceiling;
            report.figure(Figure.target("full_sync_ratio", "Full sync / min(Elasticsearch, source ceiling)", ratio,
                    Figure.number(ratio) + " (" + Figure.rate(full.docsPerSecond()) + " / " + Figure.rate(ceiling) + ")",
                    Figure.Goal.AT_LEAST, FULL_SYNC_TARGET));
        } else {
            report.figure(Figure.absent("full_sync_ratio", "Full sync / min(Elasticsearch, source ceiling)",
                    "not measured (see the notes)", Figure.Goal.AT_LEAST, FULL_SYNC_TARGET, "not measured"));
        }
        chart(full, best, sourceRate);

        double noChange = again.seconds() / full.seconds();
        report.figure(Figure.target("no_change_fraction", "No-change re-sync, wall time / full sync", noChange,
                Figure.number(noChange) + String.format(Locale.ROOT, " (%.1f s / %.1f s); ", again.seconds(), full.seconds())
                        + memoryText(again), Figure.Goal.AT_MOST, NO_CHANGE_TARGET));
        if (n == BenchOptions.LARGE) {
            peakRssTarget(full, "full sync");
        }

        daemonCeiling(fixture, n);
        splitsSpeedup(fixture, n);

        // Later runs start a daemon that syncs once, at start-up, so nothing runs while the fixture changes.
        Path once = FunctionalConfig.write(options.workDir().resolve("config-once.yml"), endpoint, connectorId,
                options.source(), index, fixture.connectorConfiguration(), Map.of(), null);
        incremental(fixture, once, full, n);

        memory(fixture, once, full);

        if ("directory".equals(options.source())) {
            mixedCorpus();
        }
    }

    /** The daemons, quiet waits and CPU rows of this run, for the real-time phase. */
    private RealtimeLatency.Bench realtimeBench() {
        return new RealtimeLatency.Bench() {
            @Override
            public DaemonProcess startDaemon(Path config, String name) throws IOException {
                return BenchMain.this.startDaemon(config, name);
            }

            @Override
            public void quiet(String what) throws InterruptedException {
                BenchMain.this.quiet(what);
            }

            @Override
            public void cpu(String window, Instant from, Instant to) {
                BenchMain.this.cpu.between(from, to).ifPresent(split -> cpuRows.add(cpuRow(window, split)));
            }
        };
    }

    /** Sets of the test corpus's 17 formats in the mixed-corpus run. */
    static final int MIXED_SETS = 60;

    /**
     * Content extraction on a mixed corpus: {@value #MIXED_SETS} sets of PDF, DOCX, XLSX, PPTX, XLS, PPT, DOC, ODT, ODS,
     * ODP, RTF, HTML, EPUB, EML, MSG and UTF-16 and Latin-1 text files, every one of which goes through the parser
     * processes. Documents/s, MB/s of files, the daemon's peak RSS and the parser processes' (summed, sampled every
     * 200 ms), and the counts, which must say every body was extracted.
     */
    private void mixedCorpus() throws Exception {
        Path root = options.workDir().resolve("mixed");
        long bytes = 0;
        int documents = 0;
        for (int set = 0; set < MIXED_SETS; set++) {
            for (io.connectors.testkit.corpus.DocumentCorpus.Sample sample : io.connectors.testkit.corpus.DocumentCorpus
                    .writeFormats(root.resolve(String.format(Locale.ROOT, "set-%03d", set)), "m" + set)) {
                bytes += Files.size(sample.file());
                documents++;
            }
        }
        String mixedIndex = index + "-mixed";
        es.deleteIndex(mixedIndex);
        Path config = FunctionalConfig.write(options.workDir().resolve("config-mixed.yml"), endpoint, connectorId,
                "directory", mixedIndex, Map.of("path", root.toString()), Map.of(), null);
        String label = "mixed corpus, content extraction";
        quiet(label);
        Instant notBefore = Instant.now();
        DaemonProcess daemon = startDaemon(config, "mixed");
        java.util.concurrent.atomic.AtomicLong parsersPeak = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicInteger parsersAtOnce = new java.util.concurrent.atomic.AtomicInteger();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                long sum = 0;
                int alive = 0;
                // The parser processes, and what they start (Tika probes for external tools once).
                for (ProcessHandle child : ProcessHandle.of(daemon.pid()).map(h -> h.descendants().toList())
                        .orElse(List.of())) {
                    long rss = rssBytes(child.pid());
                    if (rss > 0) {
                        sum += rss;
                        alive++;
                    }
                }
                parsersPeak.accumulateAndGet(sum, Math::max);
                parsersAtOnce.accumulateAndGet(alive, Math::max);
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-parser-rss");
        sampler.setDaemon(true);
        sampler.start();
        DaemonRun run;
        try {
            run = awaitSync(daemon, label, notBefore, documents);
        } finally {
            sampler.interrupt();
            daemon.stop();
        }
        sampler.join();
        collections(daemon, run);
        long extracted = run.outcome().counts().getOrDefault("extracted", 0L);
        long notExtracted = run.outcome().counts().getOrDefault("not_extracted", 0L);
        if (!run.completed() || extracted != documents) {
            report.note("The mixed-corpus sync extracted " + extracted + " of " + documents + " documents ("
                    + notExtracted + " not extracted, status " + run.outcome().status() + ").");
            failed = true;
        }
        double mbPerSecond = bytes / 1048576.0 / run.seconds();
        report.figure(Figure.info("extraction_rate", "Full sync of a mixed corpus, every document through content"
                        + " extraction (" + MIXED_SETS + " sets of 17 formats)", run.docsPerSecond(),
                Figure.rate(run.docsPerSecond()) + String.format(Locale.ROOT, ", %.2f MB/s of files (%,d docs, %s, in %.1f s;"
                        + " %d extracted, %d not); daemon %s; parser processes' peak RSS %s (summed, at most %d at once)",
                        mbPerSecond, documents, mib(bytes), run.seconds(), extracted, notExtracted, memoryText(run),
                        mib(parsersPeak.get()), parsersAtOnce.get())));
        syncDetails.put("mixed_corpus", Map.of("documents", documents, "bytes", bytes, "seconds", run.seconds(),
                "docs_per_second", run.docsPerSecond(), "mb_per_second", mbPerSecond,
                "daemon_peak_rss_bytes", run.syncMemory().rssBytes(), "parsers_peak_rss_bytes", parsersPeak.get(),
                "extracted", extracted, "not_extracted", notExtracted));
    }

    /** The resident set of a process from /proc, or -1. */
    private static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    // ---- the ceilings -----------------------------------------------------------------------------------------

    private double sourceCeiling(SourceFixture fixture, int n) throws Exception {
        double best = 0;
        List<String> runs = new ArrayList<>();
        for (int run = 1; run <= SOURCE_RUNS; run++) {
            quiet("source ceiling, run " + run);
            long t = System.nanoTime();
            long read = fixture.readAllWithOwnDriver();
            double seconds = (System.nanoTime() - t) / 1e9;
            double rate = read / seconds;
            runs.add(String.format(Locale.ROOT, "%,.0f docs/s (%.1f s)", rate, seconds));
            LOG.info("Source ceiling, run {}: {} documents in {} s: {} docs/s", run, read,
                    String.format(Locale.ROOT, "%.1f", seconds), Math.round(rate));
            if (read != n) {
                report.note("The source's own driver read " + read + " documents, not " + n + ".");
                failed = true;
            }
            best = Math.max(best, rate);
        }
        report.figure(Figure.info("source_ceiling", "Source ceiling (own driver, best of " + SOURCE_RUNS + ")", best,
                Figure.rate(best) + " (runs: " + String.join(", ", runs) + ")"));
        report.detail("source_ceiling_runs", runs);
        return best;
    }

    private record Corpus(BulkCorpus corpus, io.connectors.runtime.sync.TargetIndex.IndexMappings mappings) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            corpus.close();
        }
    }

    /** The documents the daemon would send, read through the source and serialized as the daemon does. */
    private Corpus corpus(SourceFixture fixture) throws IOException {
        DataSourceProvider provider = SourceRegistry.load().find(options.source()).orElseThrow(() ->
                new IllegalStateException("no source of type '" + options.source() + "' on the class path"));
        SourceConfig config = SourceConfig.from(provider.configFields(), fixture.connectorConfiguration());
        BaseDataSource source = provider.create(config, new SourceContext(connectorId));
        io.connectors.runtime.sync.TargetIndex.IndexMappings mapping = source instanceof MappingContributor m
                ? new io.connectors.runtime.sync.TargetIndex.IndexMappings(m.mappingProperties(), m.schemaless())
                : io.connectors.runtime.sync.TargetIndex.IndexMappings.dynamic();
        DocumentSerializer serializer = new DocumentSerializer(FINGERPRINT);
        BulkCorpus.Writer writer = BulkCorpus.writer(options.workDir().resolve("corpus.ndjson"));
        long t = System.nanoTime();
        BulkCorpus corpus = Mono.usingWhen(Mono.just(source),
                        s -> s.getDocs(SyncRules.NONE)
                                // Deferred documents are built as the daemon builds them: in batches, by the source.
                                .buffer(500)
                                .concatMap(batch -> {
                                    List<SourceDocument> deferred = batch.stream().filter(SourceDocument::isDeferred).toList();
                                    Flux<SourceDocument> built = Flux.fromIterable(batch).filter(d -> !d.isDeferred());
                                    return deferred.isEmpty() ? built
                                            : built.concatWith(((DeferredSource) s).fetch(deferred));
                                }, 1)
                                .map(serializer::prepare)
                                .doOnNext(p -> {
                                    try {
                                        writer.add(p.id(), p.json());
                                    } catch (IOException e) {
                                        throw new UncheckedIOException(e);
                                    }
                                })
                                .then(Mono.fromCallable(writer::finish)),
                        BaseDataSource::close)
                .block();
        LOG.info("Serialized {} documents ({} MiB of _bulk NDJSON) in {} s, outside any measurement",
                corpus.documents(), corpus.bytes() >> 20, String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t) / 1e9));
        bulkBytesPerDocument = corpus.bytes() / Math.max(1, corpus.documents());
        report.condition("documents", String.format(Locale.ROOT, "%,d (%,.1f MiB as _bulk NDJSON, %,d bytes per document"
                + " on average)", corpus.documents(), corpus.bytes() / 1048576.0, bulkBytesPerDocument));
        return new Corpus(corpus, mapping);
    }

    private ElasticsearchCeiling.Trial elasticsearchCeiling(BulkCorpus corpus, Map<String, Object> indexBody)
            throws IOException, InterruptedException {
        ElasticsearchCeiling ceiling = new ElasticsearchCeiling(es, corpus, indexBody, cpu, this::quiet);
        // Elasticsearch's JIT and caches warm up on a discarded run, so the first trial is not penalized.
        ceiling.run(index + "-warmup", 1000, 2, Math.min(WARM_UP_DOCUMENTS, corpus.documents()), 1);
        List<ElasticsearchCeiling.Trial> trials = ceiling.runAll(index + "-ceiling", BATCH_SIZES, CONCURRENCIES);
        Optional<ElasticsearchCeiling.Trial> best = ElasticsearchCeiling.best(trials);
        List<List<String>> rows = new ArrayList<>();
        List<Map<String, Object>> json = new ArrayList<>();
        for (ElasticsearchCeiling.Trial t : trials) {
            CpuSampler.Split c = t.cpu();
            rows.add(List.of(String.valueOf(t.batchSize()), String.valueOf(t.concurrency()),
                    String.format(Locale.ROOT, "%,.0f", t.docsPerSecond()),
                    String.format(Locale.ROOT, "%.1f", t.bytesPerSecond() / 1048576.0),
                    String.format(Locale.ROOT, "%.1f", t.seconds()),
                    c == null ? "—" : cores(c.elasticsearch()), c == null ? "—" : cores(c.bench()),
                    c == null ? "—" : cores(c.others()),
                    String.valueOf(t.attempts()),
                    t.valid() ? (best.isPresent() && best.get() == t ? "best" : "") : t.failedItems() + " failed: " + t.firstError()));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("batch_size", t.batchSize());
            m.put("concurrency", t.concurrency());
            m.put("documents", t.documents());
            m.put("bytes", t.bytes());
            m.put("seconds", t.seconds());
            m.put("docs_per_second", t.docsPerSecond());
            m.put("failed_items", t.failedItems());
            m.put("attempts", t.attempts());
            m.put("cpu", c == null ? null : cpuJson(c));
            json.add(m);
        }
        report.section(new BenchReport.Section("Elasticsearch ceiling trials (fresh index each, clock includes the final"
                + " refresh)", List.of("Batch (docs)", "In flight", "Docs/s", "MiB/s", "Seconds", "ES cores",
                "Bench cores", "Other cores", "Runs", ""), rows));
        report.detail("elasticsearch_ceiling_trials", json);
        if (best.isEmpty()) {
            report.figure(Figure.absent("elasticsearch_ceiling", "Elasticsearch ceiling", "every trial had failures",
                    Figure.Goal.NONE, null, "failed"));
            report.note("No Elasticsearch ceiling trial ran without failures; see the trials table.");
            failed = true;
            return null;
        }
        ElasticsearchCeiling.Trial b = best.get();
        report.figure(Figure.info("elasticsearch_ceiling", "Elasticsearch ceiling (best of " + trials.size()
                        + " batch sizes x concurrencies)", b.docsPerSecond(), Figure.rate(b.docsPerSecond())
                        + " (" + b.batchSize() + " docs x " + b.concurrency() + " in flight)"));
        if (b.cpu() != null) {
            cpuRows.add(cpuRow("Elasticsearch ceiling, best trial", b.cpu()));
        }
        return b;
    }

    // ---- the daemon -------------------------------------------------------------------------------------------

    private DaemonProcess startDaemon(Path config, String name) throws IOException {
        return startDaemon(config, name, endpoint);
    }

    /** A daemon on {@code config}, which points at {@code es} (the real Elasticsearch, or the stand-in). */
    private DaemonProcess startDaemon(Path config, String name, ElasticsearchEndpoint es) throws IOException {
        Path log = options.outDir().resolve("bench-" + options.source() + "-daemon-" + name + ".log");
        Files.createDirectories(log.getParent());
        LOG.info("Starting a daemon on {} (log {})", config.getFileName(), log);
        Path gc = options.outDir().resolve("bench-" + options.source() + "-daemon-" + name + "-gc.log");
        Files.deleteIfExists(gc);
        DaemonProcess daemon = DaemonProcess.start(options.home(), config, log,
                options.daemonJavaOpts(), GcLog.option(gc), FunctionalConfig.environment(es));
        gcLogs.put(daemon, gc);
        cpu.watchDaemon(daemon.pid());
        return daemon;
    }

    /** A daemon that syncs once, at start-up: started, awaited, stopped. */
    private DaemonRun runOnce(Path config, String label, long documents) throws Exception {
        return runOnce(config, label, "full", documents, false);
    }

    /**
     * As {@link #runOnce(Path, String, long)}; with {@code liveSet}, once 80% of the documents are read, a full
     * collection is forced in the daemon ({@code jcmd <pid> GC.run}): the heap it leaves, in the GC log, is the
     * data the daemon holds in the middle of a sync, garbage excluded.
     */
    private DaemonRun runOnce(Path config, String label, long documents, boolean liveSet) throws Exception {
        return runOnce(config, label, "full", documents, liveSet);
    }

    /** As {@link #runOnce(Path, String, long, boolean)}, for the first sync of {@code jobType} the daemon runs. */
    private DaemonRun runOnce(Path config, String label, String jobType, long documents, boolean liveSet)
            throws Exception {
        quiet(label);
        Instant notBefore = Instant.now();
        DaemonProcess daemon = startDaemon(config, label.replaceAll("[^a-z0-9]+", "-"));
        Thread collector = liveSet ? forceCollection(daemon, documents * 8 / 10) : null;
        DaemonRun run;
        try {
            run = awaitSync(daemon, label, jobType, notBefore, documents);
        } finally {
            if (collector != null) {
                collector.interrupt();
                collector.join();
            }
            daemon.stop();
        }
        collections(daemon, run);
        return run;
    }

    /** A thread that runs {@code jcmd <pid> GC.run} once the daemon has read {@code seen} documents. */
    private Thread forceCollection(DaemonProcess daemon, long seen) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Thread t = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    List<ProgressPoint> progress = daemon.progress(connectorId);
                    if (!progress.isEmpty() && progress.get(progress.size() - 1).seen() >= seen) {
                        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(daemon.pid()), "GC.run")
                                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                        p.waitFor();
                        return;
                    }
                    java.util.concurrent.TimeUnit.MILLISECONDS.sleep(200);
                }
            } catch (IOException e) {
                LOG.warn("Could not force a collection in the daemon with {}: {}", jcmd, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bench-force-gc");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The daemon's garbage collections during {@code runs}, from its GC log (complete once it stopped). */
    private void collections(DaemonProcess daemon, DaemonRun... runs) throws IOException {
        List<GcLog.Pause> pauses = GcLog.read(gcLogs.get(daemon));
        for (DaemonRun run : runs) {
            Optional<GcLog.Summary> summary = GcLog.summarize(pauses, run.outcome().started(), run.outcome().finished());
            summary.ifPresent(g -> gcByRun.put(run.label(), g));
            memoryRows.add(List.of(run.label(), summary.map(g -> g.pauses() + " (" + g.fullPauses() + " full)").orElse("none"),
                    summary.filter(g -> g.liveBytes() > 0).map(g -> mib(g.liveBytes())).orElse("—"),
                    summary.map(g -> mib(g.maxAfterBytes())).orElse("—"), summary.map(g -> mib(g.maxBeforeBytes())).orElse("—"),
                    summary.map(g -> mib(g.maxCommittedBytes())).orElse("—"), mib(run.memory().heapBytes()),
                    mib(run.memory().rssBytes())));
        }
    }

    /** Waits for the first sync that starts at or after {@code notBefore}, and records it. */
    private DaemonRun awaitSync(DaemonProcess daemon, String label, Instant notBefore, long documents)
            throws InterruptedException {
        return awaitSync(daemon, label, "full", notBefore, documents);
    }

    /** As {@link #awaitSync(DaemonProcess, String, Instant, long)} for a sync of {@code jobType}. */
    private DaemonRun awaitSync(DaemonProcess daemon, String label, String jobType, Instant notBefore, long documents)
            throws InterruptedException {
        Duration timeout = Duration.ofSeconds(Math.max(600, documents / 200));
        SyncOutcome outcome = daemon.awaitSync(connectorId, jobType, notBefore, timeout);
        DaemonRun run = new DaemonRun(label, outcome, daemon.progress(connectorId), daemon.memoryPeak(),
                daemon.memoryPeak(outcome.started(), outcome.finished()),
                cpu.between(outcome.started(), outcome.finished()).orElse(null));
        LOG.info("Daemon: {} {} in {} s, {} docs/s, counts {}", label, outcome.status(),
                String.format(Locale.ROOT, "%.1f", run.seconds()), Math.round(run.docsPerSecond()), outcome.counts());
        if (!run.completed()) {
            report.note("The daemon's " + label + " ended " + outcome.status() + ": " + outcome.error()
                    + "; see its log in " + options.outDir() + ".");
            failed = true;
        }
        syncRows.add(List.of(label, outcome.status(), String.format(Locale.ROOT, "%.1f s", run.seconds()),
                String.format(Locale.ROOT, "%,.0f", run.docsPerSecond()), counts(outcome.counts()),
                mib(run.syncMemory().heapBytes()), mib(run.syncMemory().rssBytes()),
                mib(run.memory().heapBytes()), mib(run.memory().rssBytes())));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", outcome.status());
        m.put("started", outcome.started().toString());
        m.put("finished", outcome.finished().toString());
        m.put("seconds", run.seconds());
        m.put("docs_per_second", run.docsPerSecond());
        m.put("counts", outcome.counts());
        m.put("job_type", jobType);
        m.put("peak_heap_bytes", run.syncMemory().heapBytes());
        m.put("peak_rss_bytes", run.syncMemory().rssBytes());
        m.put("peak_heap_bytes_so_far", run.memory().heapBytes());
        m.put("peak_rss_bytes_so_far", run.memory().rssBytes());
        m.put("cpu", run.cpu() == null ? null : cpuJson(run.cpu()));
        syncDetails.put(label, m);
        if (run.cpu() != null) {
            cpuRows.add(cpuRow("Daemon: " + label, run.cpu()));
        }
        if (disturbed(run)) {
            LOG.warn("Other processes used {} cores during the daemon's {}", cores(run.cpu().others()), label);
        }
        return run;
    }

    /** Whether other processes used enough CPU during the sync to make it unrepresentative. */
    private static boolean disturbed(DaemonRun run) {
        return run.cpu() != null && run.cpu().others() > ElasticsearchCeiling.DISTURBED_CORES;
    }

    private void verify(SourceFixture fixture, String when) throws Exception {
        long t = System.nanoTime();
        Verification v = IndexVerifier.verify(endpoint, index, fixture);
        LOG.info("Verification {}: {} ({} expected, {} indexed) in {} s", when, v.equal() ? "equal" : "DIFFERENT",
                v.expected(), v.actual(), String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t) / 1e9));
        if (!v.equal()) {
            report.note("The index did not equal the source " + when + ": " + v.summary() + "; first differences: "
                    + v.firstDifferences());
            failed = true;
        } else {
            report.note("The index equals the source " + when + " (" + v.expected() + " documents, ids and digests).");
        }
    }

    /** The ceiling's index must be the daemon's: same explicit mappings, same replicas. */
    private void checkMapping(Map<String, Object> indexBody) throws IOException, InterruptedException {
        String probe = index + "-mapping-probe";
        es.deleteIndex(probe);
        es.createIndex(probe, indexBody);
        try {
            JsonNode daemonIndex = es.get(index);
            JsonNode probeIndex = es.get(probe);
            JsonNode dp = daemonIndex.path(index).path("mappings").path("properties");
            JsonNode pp = probeIndex.path(probe).path("mappings").path("properties");
            List<String> differences = new ArrayList<>();
            pp.fieldNames().forEachRemaining(f -> {
                if (!pp.get(f).equals(dp.get(f))) {
                    differences.add(f + ": ceiling " + pp.get(f) + ", daemon " + dp.get(f));
                }
            });
            String dr = daemonIndex.path(index).path("settings").path("index").path("auto_expand_replicas").asText();
            String pr = probeIndex.path(probe).path("settings").path("index").path("auto_expand_replicas").asText();
            if (!dr.equals(pr)) {
                differences.add("auto_expand_replicas: ceiling " + pr + ", daemon " + dr);
            }
            if (!differences.isEmpty()) {
                report.note("The Elasticsearch ceiling's index differs from the daemon's: " + differences);
            }
        } finally {
            es.deleteIndex(probe);
        }
    }

    /**
     * 1% of the documents changed (a quarter added, half updated, a quarter deleted), synced by a full re-sync in a
     * new daemon; then, for a source with incremental syncs, another 1% changed and synced by an incremental job
     * (from the cursor the full re-sync saved) in a new daemon that runs only incremental syncs.
     */
    private void incremental(SourceFixture fixture, Path config, DaemonRun full, int n) throws Exception {
        int changed = Math.max(4, n / 100);
        int adds = changed / 4;
        int deletes = changed / 4;
        int updates = changed - adds - deletes;
        String what = adds + " added, " + updates + " updated, " + deletes + " deleted";
        fixture.mutate(adds, updates, deletes);
        DaemonRun after = runOnce(config, "full re-sync after 1% changed", n);
        verify(fixture, "after the full re-sync of 1% changed");
        double fraction = after.seconds() / full.seconds();
        report.figure(Figure.target("changed_full_resync_fraction", "Full re-sync after 1% changed (" + what
                        + "), wall time / full sync", fraction,
                Figure.number(fraction) + String.format(Locale.ROOT, " (%.1f s / %.1f s); ", after.seconds(),
                        full.seconds()) + memoryText(after), Figure.Goal.AT_MOST, CHANGED_FULL_RESYNC_TARGET));
        String label = "Incremental sync of 1% changed, wall time / full sync";
        if (!fixture.supportsIncremental()) {
            report.figure(Figure.absent("incremental_fraction", label, "n/a (source has no incremental sync)",
                    Figure.Goal.AT_MOST, INCREMENTAL_TARGET, "n/a"));
            return;
        }
        SourceFixture.Mutation mutation = fixture.mutate(adds, updates, deletes);
        Path incremental = FunctionalConfig.writeWithSchedules(options.workDir().resolve("config-incremental.yml"),
                endpoint, connectorId, options.source(), index, fixture.connectorConfiguration(),
                Map.of("daemon", Map.of("sync_on_start", false)),
                Map.of("incremental", FunctionalConfig.FREQUENT_SCHEDULE));
        DaemonRun run = runOnce(incremental, "incremental sync of 1% changed", "incremental", changed, false);
        verifyIncremental(fixture, mutation);
        if (!run.completed()) {
            report.figure(Figure.absent("incremental_fraction", label, "the incremental sync ended " + run.outcome().status(),
                    Figure.Goal.AT_MOST, INCREMENTAL_TARGET, "failed"));
            return;
        }
        double ratio = run.seconds() / full.seconds();
        report.figure(Figure.target("incremental_fraction", label + " (another " + what + ")", ratio,
                Figure.number(ratio) + String.format(Locale.ROOT, " (%.2f s / %.1f s, %,d read); ", run.seconds(),
                        full.seconds(), run.seen()) + memoryText(run), Figure.Goal.AT_MOST, INCREMENTAL_TARGET));
    }

    /**
     * After an incremental sync the index must equal the source, except that a source whose incremental syncs
     * cannot see deletions (PostgreSQL's {@code cursor_column}, documented in docs/CONFIG.md) leaves exactly the
     * deleted documents for the next full sync to remove: that is noted, not a failure.
     */
    private void verifyIncremental(SourceFixture fixture, SourceFixture.Mutation mutation) throws Exception {
        String when = "after the incremental sync of 1% changed";
        Verification v = IndexVerifier.verify(endpoint, index, fixture);
        int deleted = mutation.deleted().size();
        if (!v.equal() && v.missing() == 0 && v.digestDiffers() == 0 && v.extra() == deleted) {
            LOG.info("Verification {}: equal but for the {} deleted documents", when, deleted);
            report.note("The index equals the source " + when + " but for the " + deleted + " deleted documents, which"
                    + " this source's incremental sync does not see (the next full sync removes them); added and"
                    + " updated documents all match (" + v.expected() + " in the source, " + v.actual()
                    + " in the index).");
            return;
        }
        verify(fixture, when);
    }

    /**
     * The daemon ceiling: the same full sync through the same daemon, against {@link StandInElasticsearch}, which
     * answers at once, so that the figure is the framework's own speed rather than what is left of 2 cores next to
     * Elasticsearch. A daemon on the 2 s schedule syncs twice: the first sync runs in a cold JVM, the second (the
     * figure) in a warm one. Per core: documents per CPU-second of the daemon process within the sync.
     */
    private void daemonCeiling(SourceFixture fixture, int n) throws Exception {
        CeilingRun run = null;
        for (int attempt = 1; attempt <= ElasticsearchCeiling.MAX_ATTEMPTS; attempt++) {
            if (attempt > 1) {
                LOG.info("Other processes used more than {} cores during the daemon ceiling; running it again",
                        ElasticsearchCeiling.DISTURBED_CORES);
            }
            run = daemonCeilingRun(fixture, n, attempt == 1 ? "" : " (run " + attempt + ")");
            if (!disturbed(run.warm())) {
                break;
            }
        }
        DaemonRun cold = run.cold();
        DaemonRun warm = run.warm();
        double coldCpu = run.coldCpu();
        double warmCpu = run.warmCpu();
        Map<String, Long> requests = run.requests();
        Map<String, Long> unknown = run.unknown();
        long bulkItems = run.bulkItems();
        List<List<String>> rows = new ArrayList<>();
        requests.forEach((route, count) -> rows.add(List.of(route, String.format(Locale.ROOT, "%,d", count),
                unknown.containsKey(route) ? "not answered (400)" : "")));
        unknown.forEach((route, count) -> {
            if (!requests.containsKey(route)) {
                rows.add(List.of(route, String.format(Locale.ROOT, "%,d", count), "not answered"));
            }
        });
        report.section(new BenchReport.Section("Requests the daemon sent the stand-in Elasticsearch (daemon ceiling)",
                List.of("Route", "Requests", ""), rows));
        long unknownCount = unknown.values().stream().mapToLong(Long::longValue).sum();
        if (unknownCount > 0) {
            report.note("The stand-in Elasticsearch did not answer " + unknownCount + " requests of the daemon ("
                    + unknown.keySet() + "): the daemon ceiling may not be a full sync as against Elasticsearch.");
        }
        if (bulkItems < cold.outcome().count("indexed") + warm.outcome().count("indexed")) {
            report.note("The stand-in Elasticsearch received " + bulkItems + " _bulk items, fewer than the two syncs"
                    + " reported indexed.");
            failed = true;
        }
        String size = bulkBytesPerDocument > 0 ? String.format(Locale.ROOT, "; %,d bytes of _bulk NDJSON per document%s",
                bulkBytesPerDocument, bulkBytesPerDocument < 1000 || bulkBytesPerDocument > 2560
                        ? ", outside the target's 1 to 2.5 KB" : "") : "";
        report.figure(Figure.info("daemon_ceiling_cold", "Daemon ceiling, first sync in a cold JVM (stand-in Elasticsearch)",
                cold.docsPerSecond(), Figure.rate(cold.docsPerSecond()) + String.format(Locale.ROOT,
                        " (%,d docs in %.1f s, %.1f daemon CPU-seconds: %s per core); ", cold.seen(), cold.seconds(), coldCpu,
                        Figure.rate(cold.seen() / coldCpu)) + memoryText(cold)));
        report.figure(Figure.info("daemon_ceiling", "Daemon ceiling, warm JVM (stand-in Elasticsearch)",
                warm.docsPerSecond(), Figure.rate(warm.docsPerSecond()) + String.format(Locale.ROOT,
                        " (%,d docs in %.1f s, %.2f daemon cores); ", warm.seen(), warm.seconds(), warmCpu / warm.seconds())
                        + memoryText(warm)));
        String label = "Daemon ceiling per daemon core (docs per daemon CPU-second)";
        if (!warm.completed() || !(warmCpu > 0)) {
            report.figure(Figure.absent("daemon_ceiling_per_core", label, warm.completed()
                            ? "not measured (the daemon's CPU time was not read)" : "the sync ended " + warm.outcome().status(),
                    Figure.Goal.AT_LEAST, DAEMON_CEILING_PER_CORE_TARGET, "not measured"));
            return;
        }
        double perCore = warm.seen() / warmCpu;
        report.figure(Figure.target("daemon_ceiling_per_core", label, perCore, Figure.rate(perCore) + " per core"
                        + String.format(Locale.ROOT, " (%,d docs / %.2f CPU-s)", warm.seen(), warmCpu) + size,
                Figure.Goal.AT_LEAST, DAEMON_CEILING_PER_CORE_TARGET));
    }

    /**
     * What reading splits in parallel gives: the daemon ceiling's warm sync with {@code sync.max_concurrent_splits} 1
     * and {@value #SPLITS_PARALLEL}, against the stand-in (so Elasticsearch's speed does not cap the ratio). Absent for
     * a source that does not divide its full read.
     */
    private void splitsSpeedup(SourceFixture fixture, int n) throws Exception {
        String label = "Full sync, max_concurrent_splits " + SPLITS_PARALLEL + " / 1 (stand-in Elasticsearch, warm JVM)";
        Map<Integer, DaemonRun> runs = new LinkedHashMap<>();
        for (int splits : List.of(1, SPLITS_PARALLEL)) {
            CeilingRun run = daemonCeilingRun(fixture, n, " (max_concurrent_splits " + splits + ")",
                    Map.of("sync", Map.of("max_concurrent_splits", splits)));
            runs.put(splits, run.warm());
            syncDetails.put("splits_" + splits, Map.of("docs_per_second", run.warm().docsPerSecond(),
                    "daemon_cpu_seconds", run.warmCpu(), "seconds", run.warm().seconds()));
        }
        DaemonRun one = runs.get(1);
        DaemonRun many = runs.get(SPLITS_PARALLEL);
        // The daemon's log names the plan when the source divided its read (the daemon's name is derived from the suffix).
        Path log = options.outDir().resolve("bench-" + options.source() + "-daemon-stand-in-" + SPLITS_PARALLEL + ".log");
        boolean split = java.nio.file.Files.exists(log)
                && java.nio.file.Files.readString(log).contains(" split(s), up to ");
        if (!split) {
            report.figure(Figure.absent("splits_speedup", label, "n/a (the source reads as one split)",
                    Figure.Goal.AT_LEAST, SPLITS_SPEEDUP_TARGET, "n/a"));
            return;
        }
        if (!one.completed() || !many.completed()) {
            report.figure(Figure.absent("splits_speedup", label, "a sync did not complete", Figure.Goal.AT_LEAST,
                    SPLITS_SPEEDUP_TARGET, "not measured"));
            failed = true;
            return;
        }
        double ratio = many.docsPerSecond() / one.docsPerSecond();
        report.figure(Figure.target("splits_speedup", label, ratio, Figure.number(ratio) + " (" + Figure.rate(many.docsPerSecond())
                + " / " + Figure.rate(one.docsPerSecond()) + ")", Figure.Goal.AT_LEAST, SPLITS_SPEEDUP_TARGET));
    }

    /** One daemon ceiling: its two syncs, the daemon's CPU-seconds in each, and what the stand-in was sent. */
    private record CeilingRun(DaemonRun cold, DaemonRun warm, double coldCpu, double warmCpu,
                              Map<String, Long> requests, Map<String, Long> unknown, long bulkItems) {
    }

    private CeilingRun daemonCeilingRun(SourceFixture fixture, int n, String suffix) throws Exception {
        return daemonCeilingRun(fixture, n, suffix, Map.of());
    }

    /** @param extra top-level configuration sections of the daemon ({@code sync: {max_concurrent_splits: 4}}) */
    private CeilingRun daemonCeilingRun(SourceFixture fixture, int n, String suffix, Map<String, Object> extra)
            throws Exception {
        try (StandInElasticsearch standIn = StandInElasticsearch.start(index)) {
            ElasticsearchEndpoint standInEndpoint = standIn.endpoint();
            Path config = FunctionalConfig.write(options.workDir().resolve("config-stand-in.yml"), standInEndpoint,
                    connectorId, options.source(), index, fixture.connectorConfiguration(), extra);
            quiet("daemon ceiling" + suffix);
            Instant notBefore = Instant.now();
            DaemonProcess daemon = startDaemon(config, "stand-in" + suffix.replaceAll("[^0-9]+", "-").replaceAll("-$", ""),
                    standInEndpoint);
            DaemonRun cold;
            DaemonRun warm;
            double coldCpu;
            double warmCpu;
            try (ProcessCpu daemonCpu = ProcessCpu.watch(daemon.pid())) {
                try {
                    cold = awaitSync(daemon, "daemon ceiling, first sync (stand-in Elasticsearch, cold JVM)" + suffix,
                            notBefore, n);
                    warm = awaitSync(daemon, "daemon ceiling, second sync (stand-in Elasticsearch, warm JVM)" + suffix,
                            cold.outcome().finished(), n);
                } finally {
                    daemon.stop();
                }
                coldCpu = daemonCpu.secondsBetween(cold.outcome().started(), cold.outcome().finished()).orElse(Double.NaN);
                warmCpu = daemonCpu.secondsBetween(warm.outcome().started(), warm.outcome().finished()).orElse(Double.NaN);
            }
            collections(daemon, cold, warm);
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("requests", standIn.requests());
            detail.put("unknown_requests", standIn.unknown());
            detail.put("bulk_requests", standIn.bulkRequests());
            detail.put("bulk_items", standIn.bulkItems());
            detail.put("bulk_bytes", standIn.bulkBytes());
            detail.put("first_sync_daemon_cpu_seconds", coldCpu);
            detail.put("second_sync_daemon_cpu_seconds", warmCpu);
            report.detail("daemon_ceiling" + suffix.replaceAll("[^0-9]+", "_").replaceAll("_$", ""), detail);
            return new CeilingRun(cold, warm, coldCpu, warmCpu, standIn.requests(), standIn.unknown(),
                    standIn.bulkItems());
        }
    }

    /** The peak RSS target at 1,000,000 documents, from a sync of that many. */
    private void peakRssTarget(DaemonRun run, String what) {
        long rss = run.syncMemory().rssBytes();
        String label = "Daemon peak RSS, sync of " + String.format(Locale.ROOT, "%,d", BenchOptions.LARGE) + " documents";
        if (rss < 0) {
            report.figure(Figure.absent("peak_rss_large", label, "not measured (no RSS sample)", Figure.Goal.AT_MOST,
                    (double) (PEAK_RSS_TARGET_BYTES >> 20), "not measured"));
            return;
        }
        report.figure(Figure.target("peak_rss_large", label + " (MiB)", rss / 1048576.0, mib(rss) + " (" + what
                + "; peak heap in use " + mib(run.syncMemory().heapBytes()) + ")", Figure.Goal.AT_MOST,
                PEAK_RSS_TARGET_BYTES >> 20));
    }

    /** {@code peak RSS 300 MiB, peak heap 200 MiB}: within the sync. */
    private static String memoryText(DaemonRun run) {
        return "peak RSS " + mib(run.syncMemory().rssBytes()) + ", peak heap " + mib(run.syncMemory().heapBytes());
    }

    private void memory(SourceFixture fixture, Path config, DaemonRun full) throws Exception {
        DaemonRun medium = full;
        String size = String.format(Locale.ROOT, "%,d", medium.seen());
        report.figure(Figure.info("peak_heap", "Daemon peak heap in use, full sync of " + size,
                medium.memory().heapBytes(), mib(medium.memory().heapBytes())));
        report.figure(Figure.info("peak_rss", "Daemon peak RSS, full sync of " + size,
                medium.memory().rssBytes(), mib(medium.memory().rssBytes())));
        GcLog.Summary mediumGc = gcByRun.get(medium.label());
        if (mediumGc != null) {
            report.figure(Figure.info("peak_heap_after_gc", "Daemon heap left after GC (retained data), peak, full sync of "
                    + size, mediumGc.maxAfterBytes(), mib(mediumGc.maxAfterBytes())));
        }
        if (!options.flatness()) {
            if (medium.seen() != BenchOptions.LARGE) {
                report.figure(Figure.absent("peak_rss_large", "Daemon peak RSS, sync of " + String.format(Locale.ROOT,
                                "%,d", BenchOptions.LARGE) + " documents (MiB)", "not run (make bench SIZE=large or flatness)",
                        Figure.Goal.AT_MOST, (double) (PEAK_RSS_TARGET_BYTES >> 20), "not run"));
            }
            String why = "not run (make bench SIZE=flatness)";
            report.figure(Figure.absent("heap_flatness", "Memory flatness: peak heap, large / medium", why,
                    Figure.Goal.AT_MOST, FLATNESS_TARGET, "not run"));
            report.figure(Figure.absent("rss_flatness", "Memory flatness: peak RSS, large / medium", why,
                    Figure.Goal.AT_MOST, FLATNESS_TARGET, "not run"));
            return;
        }
        // Both sides of the ratio the same way: a fresh daemon, a full sync into a new index, and a forced full
        // collection once 80% of the documents are read, whose result is the data the daemon holds at that point.
        es.deleteIndex(index);
        DaemonRun mediumMemory = runOnce(config, "memory run, medium", medium.seen(), true);
        long t = System.nanoTime();
        fixture.load(BenchOptions.LARGE);
        double loadSeconds = (System.nanoTime() - t) / 1e9;
        report.condition("fixture load (" + String.format(Locale.ROOT, "%,d", BenchOptions.LARGE) + " documents)",
                minutes(loadSeconds));
        es.deleteIndex(index);
        DaemonRun large = runOnce(config, "memory run, large", BenchOptions.LARGE, true);
        medium = mediumMemory;
        mediumGc = gcByRun.get(medium.label());
        long count = es.count(index);
        if (count != BenchOptions.LARGE) {
            report.note("After the large full sync the index holds " + count + " documents, not " + BenchOptions.LARGE + ".");
            failed = true;
        }
        report.figure(Figure.info("large_full_sync_rate", "Full sync through the daemon, "
                        + String.format(Locale.ROOT, "%,d", BenchOptions.LARGE) + " documents", large.docsPerSecond(),
                Figure.rate(large.docsPerSecond()) + String.format(Locale.ROOT, " (%.1f s)", large.seconds())));
        double heap = (double) large.memory().heapBytes() / medium.memory().heapBytes();
        double rss = (double) large.memory().rssBytes() / medium.memory().rssBytes();
        report.figure(Figure.target("heap_flatness", "Memory flatness: peak heap in use, large / medium", heap,
                Figure.number(heap) + " (" + mib(large.memory().heapBytes()) + " / " + mib(medium.memory().heapBytes()) + ")",
                Figure.Goal.AT_MOST, FLATNESS_TARGET));
        report.figure(Figure.target("rss_flatness", "Memory flatness: peak RSS, large / medium", rss,
                Figure.number(rss) + " (" + mib(large.memory().rssBytes()) + " / " + mib(medium.memory().rssBytes()) + ")",
                Figure.Goal.AT_MOST, FLATNESS_TARGET));
        peakRssTarget(large, "memory run, large");
        GcLog.Summary largeGc = gcByRun.get(large.label());
        if (mediumGc != null && largeGc != null && mediumGc.liveBytes() > 0 && largeGc.liveBytes() > 0) {
            double live = (double) largeGc.liveBytes() / mediumGc.liveBytes();
            report.figure(Figure.info("live_heap_flatness", "Live heap at 80% of the sync (forced full GC), large / medium",
                    live, Figure.number(live) + " (" + mib(largeGc.liveBytes()) + " / " + mib(mediumGc.liveBytes()) + ")"));
        } else {
            report.note("The forced full collections of the memory runs were not found in their GC logs.");
        }
        es.deleteIndex(index);
    }

    // ---- charts -----------------------------------------------------------------------------------------------

    private void chart(DaemonRun full, ElasticsearchCeiling.Trial best, double sourceRate) throws IOException {
        List<ProgressRates.Reading> readings = new ArrayList<>();
        for (ProgressPoint p : full.progress()) {
            if (!p.at().isBefore(full.outcome().started()) && !p.at().isAfter(full.outcome().finished())) {
                readings.add(new ProgressRates.Reading(p.at(), p.seen(), p.indexed()));
            }
        }
        Map<String, Long> counts = full.outcome().counts();
        readings.add(new ProgressRates.Reading(full.outcome().finished(), counts.getOrDefault("seen", 0L),
                counts.getOrDefault("indexed", 0L) + counts.getOrDefault("updated", 0L)));
        List<ProgressRates.Rate> rates = ProgressRates.of(full.outcome().started(), readings);
        LineChart chart = new LineChart(options.source() + ": full sync of " + String.format(Locale.ROOT, "%,d", full.seen())
                + " documents through the daemon (" + String.format(Locale.ROOT, "%,.0f", full.docsPerSecond())
                + " docs/s on average)", "seconds since the sync started", "documents per second", 1100, 560)
                .series("read from the source", LineChart.BLUE,
                        rates.stream().map(r -> new LineChart.Point(r.seconds(), r.seenPerSecond())).toList())
                .series("written to Elasticsearch", LineChart.ORANGE,
                        rates.stream().map(r -> new LineChart.Point(r.seconds(), r.indexedPerSecond())).toList());
        if (best != null) {
            chart.reference("Elasticsearch ceiling " + Figure.rate(best.docsPerSecond()), best.docsPerSecond(), LineChart.RED);
            double target = FULL_SYNC_TARGET * Math.min(best.docsPerSecond(), sourceRate);
            chart.reference("target: 0.9 x min(ceilings) = " + Figure.rate(target), target, LineChart.GREEN);
        }
        // A source ceiling far above the rest would flatten every line; it is then named in the caption instead.
        String offScale = "";
        if (best == null || sourceRate <= 2 * best.docsPerSecond()) {
            chart.reference("source ceiling " + Figure.rate(sourceRate), sourceRate, LineChart.PURPLE);
        } else {
            offScale = "source ceiling " + Figure.rate(sourceRate) + " (off the scale); ";
        }
        chart.caption(offScale + "from the daemon's progress lines (every second); Elasticsearch " + esVersion + ", "
                + Runtime.getRuntime().availableProcessors() + " cores, " + LocalDate.now(ZoneOffset.UTC));
        chart.write(options.outDir().resolve("bench-" + options.source() + "-throughput.png"));

        List<CpuSampler.Split> series = cpu.series(full.outcome().started(), full.outcome().finished());
        Instant start = full.outcome().started();
        java.util.function.Function<java.util.function.ToDoubleFunction<CpuSampler.Split>, List<LineChart.Point>> line =
                f -> series.stream().map(s -> new LineChart.Point(
                        Duration.between(start, s.to()).toNanos() / 1e9, f.applyAsDouble(s))).toList();
        new LineChart(options.source() + ": CPU during the full sync (cores in use, of "
                + Runtime.getRuntime().availableProcessors() + ")", "seconds since the sync started", "cores", 1100, 560)
                .caption("CPU time per second: Elasticsearch and the daemon from /proc/<pid>/stat, the machine from /proc/stat")
                .series("Elasticsearch", LineChart.RED, line.apply(CpuSampler.Split::elasticsearch))
                .series("daemon", LineChart.BLUE, line.apply(CpuSampler.Split::daemon))
                .series("other processes and the bench JVM", LineChart.GREY, line.apply(s -> s.others() + s.bench()))
                .series("steal (hypervisor)", LineChart.PURPLE, line.apply(CpuSampler.Split::steal))
                .reference("all cores", Runtime.getRuntime().availableProcessors(), Color.BLACK)
                .write(options.outDir().resolve("bench-" + options.source() + "-cpu.png"));
        report.detail("full_sync_rates", rates);
    }

    /** Waits for the machine to be quiet before a measurement; records how quiet it got. */
    private void quiet(String what) throws InterruptedException {
        long t = System.nanoTime();
        double others = cpu.awaitQuiet(QUIET_CORES, Duration.ofSeconds(5), options.quietMaxWait());
        double waited = (System.nanoTime() - t) / 1e9;
        if (!(others <= QUIET_CORES)) {
            LOG.warn("Other processes still use {} cores after {} s; measuring {} anyway",
                    String.format(Locale.ROOT, "%.2f", others), Math.round(waited), what);
        }
        quietRows.add(List.of(what, String.format(Locale.ROOT, "%.0f s", waited), cores(others)));
    }

    // ---- set-up -----------------------------------------------------------------------------------------------

    private LocalElasticsearchLauncher startElasticsearch() {
        String url = System.getenv("ES_URL");
        if (url != null && !url.isBlank()) {
            endpoint = new ElasticsearchEndpoint(URI.create(url.trim()), blankToNull(System.getenv("ES_USERNAME")),
                    blankToNull(System.getenv("ES_PASSWORD")));
            LOG.info("Using the Elasticsearch at {} (ES_URL)", endpoint.uri());
            return null;
        }
        LocalElasticsearchLauncher launcher = LocalElasticsearchLauncher.builder().heap(options.esHeap()).build().start();
        endpoint = launcher.endpoint();
        return launcher;
    }

    private void conditions() throws IOException, InterruptedException {
        report.condition("date", LocalDate.now(ZoneOffset.UTC).toString());
        report.condition("source", options.source());
        esVersion = es.version();
        report.condition("elasticsearch", esVersion + (System.getenv("ES_URL") == null
                ? ", local single node, heap " + options.esHeap() : ", " + endpoint.uri()));
        report.condition("machine", Runtime.getRuntime().availableProcessors() + " cores, "
                + machineMemory() + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        report.condition("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        report.condition("daemon", "bin/connectors run, JVM options: \"" + DaemonProcess.describeJavaOpts(options.daemonJavaOpts())
                + "\" plus a GC log, default bulk and sync settings (sync.progress_interval: 1s); the full sync and the"
                + " no-change re-sync in one daemon on a 2 s schedule, later syncs each in a new daemon");
    }

    private static String machineMemory() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
            return lines.filter(l -> l.startsWith("MemTotal:")).findFirst()
                    .map(l -> String.format(Locale.ROOT, "%.0f GiB RAM",
                            Long.parseLong(l.replaceAll("[^0-9]", "")) / 1048576.0))
                    .orElse("RAM unknown");
        } catch (IOException | RuntimeException e) {
            return "RAM unknown";
        }
    }

    private void prepareWorkDir() throws IOException {
        deleteWorkDir();
        Files.createDirectories(options.workDir());
    }

    private void deleteWorkDir() {
        try {
            FileTrees.delete(options.workDir());
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", options.workDir(), e.toString());
        }
    }

    // ---- formatting -------------------------------------------------------------------------------------------

    private static List<String> cpuRow(String window, CpuSampler.Split c) {
        return List.of(window, String.format(Locale.ROOT, "%.1f", c.seconds()), cores(c.elasticsearch()),
                cores(c.daemon()), cores(c.bench()), cores(c.others()), cores(c.steal()), cores(c.machineBusy()));
    }

    private static Map<String, Object> cpuJson(CpuSampler.Split c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", c.seconds());
        m.put("elasticsearch_cores", c.elasticsearch());
        m.put("daemon_cores", c.daemon());
        m.put("bench_cores", c.bench());
        m.put("other_cores", c.others());
        m.put("steal_cores", c.steal());
        m.put("machine_busy_cores", c.machineBusy());
        m.put("machine_cores", c.cores());
        return m;
    }

    private static String cores(double c) {
        return String.format(Locale.ROOT, "%.2f", c);
    }

    static String mib(long bytes) {
        return bytes < 0 ? "unknown" : String.format(Locale.ROOT, "%,.0f MiB", bytes / 1048576.0);
    }

    private static String minutes(double seconds) {
        return seconds < 120 ? String.format(Locale.ROOT, "%.0f s", seconds)
                : String.format(Locale.ROOT, "%.1f min", seconds / 60);
    }

    private static String counts(Map<String, Long> counts) {
        StringBuilder sb = new StringBuilder();
        counts.forEach((k, v) -> {
            if (v != 0 && !k.equals("bytes")) {
                sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(String.format(Locale.ROOT, "%,d", v));
            }
        });
        return sb.toString();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
