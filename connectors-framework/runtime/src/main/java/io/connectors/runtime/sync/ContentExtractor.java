package io.connectors.runtime.sync;

import io.connectors.extraction.Extraction;
import io.connectors.extraction.Extraction.Outcome;
import io.connectors.extraction.ExtractorPool;
import io.connectors.runtime.config.ExtractionSettings;
import io.connectors.runtime.util.ProblemLog;
import io.connectors.spi.LazyBody;
import io.connectors.spi.SourceDocument;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Turns a document's {@linkplain LazyBody body} into its {@code content} and {@code content_metadata} fields, with the
 * daemon's pool of parser processes ({@link ExtractorPool}, started on first use and shared by every sync). The body is
 * streamed to a spill file in {@code sync.temp_dir} on a thread meant for blocking work, never an event loop, and
 * handed to a parser process by path; the file is deleted as soon as the parser has answered.
 *
 * <p>Nothing here fails a sync: a body that yields no text (too large, encrypted, corrupt, a parser stopped for time
 * or memory, a source that could not read it) still gives its document, without {@code content}, with the outcome and
 * reason in {@code content_metadata}; the sync counts it ({@code not_extracted}) and lists it in its job record.
 */
public final class ContentExtractor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ContentExtractor.class);
    /** The field the text goes to. */
    public static final String CONTENT = "content";
    /** The object field the metadata and the outcome go to. */
    public static final String METADATA = "content_metadata";

    /** What a pool of parsers reports, for metrics. */
    public interface Listener {
        Listener NONE = (outcome, bytes, nanos) -> { };

        /** One body was extracted (or not) with this outcome, from {@code bytes} bytes, in {@code nanos}. */
        void extracted(Outcome outcome, long bytes, long nanos);
    }

    private final ExtractionSettings settings;
    private final Path spillDir;
    private final Listener listener;
    private final Object lock = new Object();
    private ExtractorPool pool;
    private boolean closed;

    public ContentExtractor(ExtractionSettings settings, Path spillDir, Listener listener) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.spillDir = Objects.requireNonNull(spillDir, "spillDir");
        this.listener = listener == null ? Listener.NONE : listener;
    }

    public ExtractionSettings settings() {
        return settings;
    }

    /** The pool, started on first use. */
    private ExtractorPool pool() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("content extraction is shut down");
            }
            if (pool == null) {
                pool = new ExtractorPool(settings.limits(), spillDir);
                LOG.info("Content extraction: up to {} parser processes of {} MB heap each, {} per document", settings.workers(),
                        settings.workerHeapBytes() >> 20, io.connectors.runtime.util.Human.elapsed(settings.timeout()));
            }
            return pool;
        }
    }

    /**
     * The document with its body's text and metadata, without its body; a document without a body as it is. Counts
     * the outcome in {@code stats} and reports failures to {@code problems}.
     */
    public Mono<SourceDocument> extract(SourceDocument doc, SyncStats stats, ProblemLog problems) {
        LazyBody body = doc.body().orElse(null);
        if (body == null) {
            return Mono.just(doc);
        }
        long started = System.nanoTime();
        return bodyExtraction(body)
                .onErrorResume(e -> Mono.just(Extraction.failed(Outcome.UNREADABLE, "the source could not read it: "
                        + (e.getMessage() == null ? e.toString() : e.getMessage()))))
                .map(result -> {
                    long bytes = Math.max(0, body.size());
                    listener.extracted(result.outcome(), bytes, System.nanoTime() - started);
                    String id = DocIds.normalize(doc.id());
                    if (result.outcome().failed()) {
                        stats.contentNotExtracted(new SyncStats.DocumentProblem(id, "extract", 0, result.outcome().label(),
                                result.reason()));
                        problems.report(result.outcome().label(), "document " + id + ": " + result.reason());
                    } else {
                        stats.contentExtracted();
                    }
                    return withContent(doc, result);
                });
    }

    private Mono<Extraction> bodyExtraction(LazyBody body) {
        long max = settings.maxInputBytes();
        if (body.size() > max) {
            return Mono.just(ExtractorPool.tooLarge(body.size(), max));
        }
        return Mono.usingWhen(
                Mono.fromCallable(() -> SpillFiles.create(spillDir, "extract")).subscribeOn(Schedulers.boundedElastic()),
                file -> copy(body, file, max).flatMap(copied -> copied > max
                        ? Mono.just(ExtractorPool.tooLarge(copied, max))
                        : Mono.fromFuture(() -> pool().extract(file, body.name(), body.mimeType()))),
                ContentExtractor::delete, (file, error) -> delete(file), ContentExtractor::delete);
    }

    /** Writes the body to {@code file}, stopping past {@code max} bytes; emits the bytes written (more than max: cut). */
    private static Mono<Long> copy(LazyBody body, Path file, long max) {
        return Mono.using(() -> FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING),
                channel -> {
                    java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
                    return body.content()
                            // A source may reuse a buffer once onNext returns: copied before it changes threads.
                            .map(ContentExtractor::copyOf)
                            // Writing blocks: never on the thread a source emits on, which may be an event loop.
                            .publishOn(Schedulers.boundedElastic())
                            .takeWhile(buffer -> {
                                if (written.addAndGet(buffer.remaining()) > max) {
                                    return false; // cancels the source: the rest is not read
                                }
                                write(channel, buffer);
                                return true;
                            })
                            .then(Mono.fromSupplier(written::get));
                },
                ContentExtractor::closeQuietly);
    }

    private static ByteBuffer copyOf(ByteBuffer buffer) {
        ByteBuffer copy = ByteBuffer.allocate(buffer.remaining());
        copy.put(buffer.duplicate()).flip();
        return copy;
    }

    private static void write(FileChannel channel, ByteBuffer buffer) {
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write a spill file for extraction in sync.temp_dir", e);
        }
    }

    private static Mono<Void> delete(Path file) {
        return Mono.<Void>fromRunnable(() -> {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warn("Could not delete the extraction spill file {}: {}", file, e.toString());
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing an extraction spill file", e);
        }
    }

    /** The document with {@code content} and {@code content_metadata} from {@code result}, and no body. */
    static SourceDocument withContent(SourceDocument doc, Extraction result) {
        SourceDocument.Builder out = SourceDocument.builder(doc.id()).fields(doc.fields());
        doc.version().ifPresent(out::version);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("outcome", result.outcome().label());
        if (result.outcome().failed()) {
            metadata.put("error", result.reason());
        } else {
            out.field(CONTENT, result.content());
            result.metadata().forEach((k, v) -> metadata.put(k, "page_count".equals(k) ? integer(v) : v));
            metadata.put("characters", result.content().length());
            metadata.put("truncated", result.outcome() == Outcome.TRUNCATED);
        }
        out.field(METADATA, metadata);
        return out.build();
    }

    private static Object integer(Object value) {
        try {
            return Integer.valueOf(String.valueOf(value).strip());
        } catch (NumberFormatException e) {
            return value;
        }
    }

    /**
     * The mapping of the extracted fields, added to a connector's index when it extracts content: the text analyzed,
     * the metadata typed, and nothing a body can make unstorable (dates and numbers that do not parse are kept in
     * {@code _source} and left out of the index).
     */
    public static Map<String, Object> mappingProperties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(CONTENT, Map.of("type", "text"));
        Map<String, Object> keyword = Map.of("type", "keyword", "ignore_above", 1024);
        Map<String, Object> text = Map.of("type", "text", "fields", Map.of("keyword", keyword));
        p.put(METADATA + ".outcome", Map.of("type", "keyword"));
        p.put(METADATA + ".error", Map.of("type", "text"));
        p.put(METADATA + ".title", text);
        p.put(METADATA + ".author", text);
        p.put(METADATA + ".language", keyword);
        p.put(METADATA + ".page_count", Map.of("type", "integer", "ignore_malformed", true));
        p.put(METADATA + ".content_type", keyword);
        p.put(METADATA + ".encoding", keyword);
        p.put(METADATA + ".created", Map.of("type", "date", "ignore_malformed", true));
        p.put(METADATA + ".modified", Map.of("type", "date", "ignore_malformed", true));
        p.put(METADATA + ".from", text);
        p.put(METADATA + ".to", text);
        p.put(METADATA + ".characters", Map.of("type", "long"));
        p.put(METADATA + ".truncated", Map.of("type", "boolean"));
        return p;
    }

    /** Stops every parser process. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            if (pool != null) {
                pool.close();
            }
        }
    }
}
