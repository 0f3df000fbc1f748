package io.connectors.source.directory;

import io.connectors.spi.BaseDataSource;
import io.connectors.spi.DeferredSource;
import io.connectors.spi.MappingContributor;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.SourceSplit;
import io.connectors.spi.SplitEvent;
import io.connectors.spi.SplitPosition;
import io.connectors.spi.SplittableSource;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.rules.SyncRules;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Syncs a directory tree: one document per regular file, with its id the path relative to the root.
 *
 * <p>Each subscription to {@link #getDocs} walks the tree afresh on {@code boundedElastic}, one file per
 * requested document, and releases its open directories on completion, error or cancel. The walk emits deferred
 * documents, decided from {@code stat} alone (the version is the modification time and the size): no file is opened
 * while listing. {@link #fetch} reads the new and changed files. The instance holds no open resource, only the report
 * of what its fetches skipped, which {@link #close()} logs in one summary.
 */
public final class DirectoryDataSource implements BaseDataSource, DeferredSource, MappingContributor, SplittableSource {

    /** A hung network mount must not hang a ping. */
    static final Duration PING_TIMEOUT = Duration.ofSeconds(10);

    private static final Map<String, Object> MAPPING = Map.of(
            "path", Map.of("type", "keyword"),
            "name", Map.of("type", "keyword"),
            "extension", Map.of("type", "keyword"),
            "mime_type", Map.of("type", "keyword"),
            "size", Map.of("type", "long"),
            "created", Map.of("type", "date"),
            "modified", Map.of("type", "date"),
            "content", Map.of("type", "text"));

    private final DirectoryConfig config;
    private final SourceContext context;
    private final DirectoryWalker.Opener opener;
    private final FileDocuments documents;
    /** What the fetches of this job read and skipped, across concurrent batches. */
    private final WalkReport reading;

    DirectoryDataSource(DirectoryConfig config, SourceContext context) {
        this(config, context, DirectoryHandle::open);
    }

    DirectoryDataSource(DirectoryConfig config, SourceContext context, DirectoryWalker.Opener opener) {
        this.config = config;
        this.context = context;
        this.opener = opener;
        this.documents = new FileDocuments(config, context.extractContent());
        this.reading = WalkReport.reading(context.connectorId(), config.root().toString());
    }

    @Override
    public Mono<Void> ping() {
        return Mono.fromCallable(() -> DirectoryWalker.checkRoot(config.root(), opener))
                .subscribeOn(Schedulers.boundedElastic())
                .timeout(PING_TIMEOUT)
                .onErrorMap(TimeoutException.class, e -> new SourceException(
                        "directory " + config.root() + " did not answer within " + PING_TIMEOUT.toSeconds() + "s", e, true))
                .flatMap(problem -> problem.isPresent()
                        ? Mono.<Void>error(new SourceException(problem.get()))
                        : Mono.<Void>empty());
    }

    // tag::validate-config[]
    @Override
    public Mono<Void> validateConfig() {
        return Mono.fromCallable(() -> DirectoryWalker.checkRoot(config.root(), opener))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(problem -> problem.isPresent()
                        ? Mono.<Void>error(new ConfigValidationException(DirectoryConfig.PATH, problem.get()))
                        : Mono.<Void>empty());
    }
    // end::validate-config[]

    // tag::get-docs[]
    @Override
    public Flux<SourceDocument> getDocs(SyncRules rules) {
        if (rules.hasAdvanced()) {
            return Flux.error(new SourceException("the directory source has no advanced sync rules; remove them"));
        }
        // Basic rules are applied by the runtime.
        return walk(() -> DirectoryWalker.open(config, documents, context.connectorId(), opener));
    }

    /** The documents of a walk, one per request, on {@code boundedElastic}; the walker is closed whatever happens. */
    private Flux<SourceDocument> walk(java.util.concurrent.Callable<DirectoryWalker> open) {
        return Flux.<SourceDocument, DirectoryWalker>generate(
                        open,
                        (walker, sink) -> {
                            SourceDocument doc = walker.next();
                            if (doc == null && walker.interrupted()) {
                                // Never a completion: an incomplete listing must not let the runtime delete documents.
                                sink.error(new SourceException("the walk of " + config.root() + " was interrupted", null, true));
                            } else if (doc == null) {
                                // Released before the completion is seen, not after: cleanup runs once it returns.
                                walker.close();
                                sink.complete();
                            } else {
                                sink.next(doc);
                            }
                            return walker;
                        },
                        DirectoryWalker::close)
                .subscribeOn(Schedulers.boundedElastic());
    }
    // end::get-docs[]

    /** One split per directory under the root, and one for the rest of the root ({@link DirectorySplits}). */
    @Override
    public Mono<List<SourceSplit>> planSplits(SyncRules rules) {
        return Mono.fromCallable(() -> DirectorySplits.plan(config, opener))
                .subscribeOn(Schedulers.boundedElastic())
                .onErrorMap(java.io.IOException.class, e -> new SourceException(
                        DirectoryWalker.describeRootProblem(config.root(), e), e));
    }

    /**
     * A split's walk, as {@link #getDocs} walks (same filters, same order), limited to its part of the root and, when
     * resuming, to what sorts after the position; a position every {@value DirectorySplits#POSITION_EVERY} files and at
     * the end.
     */
    @Override
    public Flux<SplitEvent> readSplit(SourceSplit split, SplitPosition from, SyncRules rules) {
        if (rules.hasAdvanced()) {
            return Flux.error(new SourceException("the directory source has no advanced sync rules; remove them"));
        }
        java.util.function.Predicate<String> scope;
        try {
            scope = DirectorySplits.scope(split);
        } catch (IllegalArgumentException e) {
            return Flux.error(new SourceException(e.getMessage(), e));
        }
        String start = DirectorySplits.after(from);
        String[] last = {start};
        long[] count = {0};
        return walk(() -> DirectoryWalker.open(config, documents, context.connectorId(), opener, scope, start)).concatMap(doc -> {
                    last[0] = doc.id();
                    SplitEvent event = SplitEvent.of(doc);
                    return ++count[0] % DirectorySplits.POSITION_EVERY == 0
                            ? Flux.just(event, SplitEvent.at(DirectorySplits.position(doc.id()))) : Flux.just(event);
                }, 0)
                .concatWith(Mono.fromSupplier(() -> SplitEvent.at(last[0] == null
                        ? new SplitPosition(Map.of(DirectorySplits.AFTER, "")) : DirectorySplits.position(last[0]))));
    }

    // tag::fetch[]
    @Override
    public Flux<SourceDocument> fetch(List<SourceDocument> deferred) {
        return Flux.<SourceDocument, FileFetcher>generate(
                        () -> FileFetcher.open(config, opener, documents, reading, deferred),
                        (fetcher, sink) -> {
                            SourceDocument doc = fetcher.next();
                            if (doc == null && fetcher.interrupted()) {
                                // A file left out is taken for a deleted one: never complete a batch not fully read.
                                sink.error(new SourceException("reading files of " + config.root() + " was interrupted", null, true));
                            } else if (doc == null) {
                                fetcher.close();
                                sink.complete();
                            } else {
                                sink.next(doc);
                            }
                            return fetcher;
                        },
                        FileFetcher::close)
                .subscribeOn(Schedulers.boundedElastic());
    }
    // end::fetch[]

    /** Logs, once, the summary of what this job's fetches read and skipped. */
    @Override
    public Mono<Void> close() {
        return Mono.fromRunnable(() -> reading.finish("done"));
    }

    @Override
    public Map<String, Object> mappingProperties() {
        return MAPPING;
    }
}
