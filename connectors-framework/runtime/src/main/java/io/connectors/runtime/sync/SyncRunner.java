package io.connectors.runtime.sync;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import io.connectors.runtime.config.ConnectorConfig;
import io.connectors.runtime.config.SyncSettings;
import io.connectors.runtime.sink.BulkSink;
import io.connectors.runtime.sink.BulkSinkSettings;
import io.connectors.runtime.sink.ElasticsearchBulkClient;
import io.connectors.spi.BaseDataSource;
import io.connectors.spi.MappingContributor;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SyncRules;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs sync jobs for connectors: creates the source, checks its configuration against the backend, prepares the
 * index, runs the sync, and closes the source whatever happens.
 */
public final class SyncRunner {
    private static final Logger LOG = LoggerFactory.getLogger(SyncRunner.class);
    /** Bumped when the stored document format changes, so every document is rewritten once. */
    private static final String FORMAT = "1";

    private final ElasticsearchAsyncClient client;
    private final BulkSinkSettings bulk;
    private final SyncSettings sync;

    public SyncRunner(ElasticsearchAsyncClient client, BulkSinkSettings bulk, SyncSettings sync) {
        this.client = client;
        this.bulk = bulk;
        this.sync = sync;
    }

    /**
     * A full sync of {@code connector}. Never fails: the outcome, errors included, is in the report. Cancelling
     * the returned Mono stops the sync and releases the source.
     *
     * @param progress called every {@code sync.progress_interval} with the running counts
     */
    public Mono<SyncReport> fullSync(ConnectorConfig connector, SyncStats stats, Consumer<SyncStats> progress) {
        return Mono.defer(() -> {
            Instant started = Instant.now();
            LOG.info("Connector {}: full sync started into index {}", connector.id(), connector.index());
            Mono<Void> work = Mono.usingWhen(
                    Mono.fromCallable(() -> connector.provider().create(connector.source(), new SourceContext(connector.id()))),
                    source -> source.validateConfig().then(Mono.defer(() -> runFull(connector, source, stats))),
                    BaseDataSource::close,
                    (source, error) -> source.close(),
                    BaseDataSource::close);
            Flux<Long> ticks = Flux.interval(sync.progressInterval()).doOnNext(t -> progress.accept(stats));
            return work.then(Mono.fromCallable(() -> report(connector, started, stats, SyncReport.Status.COMPLETED, null)))
                    .onErrorResume(e -> Mono.just(report(connector, started, stats, SyncReport.Status.ERROR, describe(e))))
                    .doOnCancel(() -> LOG.info("Connector {}: full sync canceled", connector.id()))
                    .doOnNext(r -> {
                        if (r.status() == SyncReport.Status.COMPLETED) {
                            LOG.info("{}", r.summary());
                        } else {
                            LOG.error("{}", r.summary());
                        }
                    })
                    // Progress ticks run alongside the sync and stop with it.
                    .or(ticks.then(Mono.empty()));
        });
    }

    private Mono<Void> runFull(ConnectorConfig connector, BaseDataSource source, SyncStats stats) {
        Map<String, Object> mappings = source instanceof MappingContributor m ? m.mappingProperties() : Map.of();
        TargetIndex index = new TargetIndex(client, connector.index());
        BulkSink sink = new BulkSink(new ElasticsearchBulkClient(client, connector.index(), connector.pipeline().orElse(null)),
                bulk, stats);
        DocumentSerializer serializer = new DocumentSerializer(fingerprint(connector));
        return index.ensure(mappings)
                .flatMap(created -> new FullSync(source, index, sink, serializer, sync, stats).run(SyncRules.NONE, created));
    }

    /**
     * Identifies what shapes the stored documents: the source type, its non-secret configuration, the pipeline and
     * the storage format. Changing any of them rewrites every document on the next full sync.
     */
    static String fingerprint(ConnectorConfig connector) {
        String text = FORMAT + "|" + connector.type() + "|" + new TreeMap<>(connector.source().masked()) + "|"
                + connector.pipeline().orElse("");
        return HexFormat.of().formatHex(DocIds.sha256(text.getBytes(StandardCharsets.UTF_8))).substring(0, 12);
    }

    private static SyncReport report(ConnectorConfig c, Instant started, SyncStats stats, SyncReport.Status status, String error) {
        return new SyncReport(c.id(), "full", status, started, Instant.now(), stats.snapshot(), error);
    }

    private static String describe(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof CancellationException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }
}
