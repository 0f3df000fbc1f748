package io.connectors.spi;

import java.nio.ByteBuffer;
import reactor.core.publisher.Flux;

/**
 * Binary content attached to a document (a file, an attachment, a blob), read only on demand, whose text and
 * metadata the runtime extracts (docs/extraction.md).
 *
 * <h2>How a source gets content extraction</h2>
 * Attach a body to the documents whose content is not already text ({@link SourceDocument.Builder#body}). When the
 * connector extracts content ({@code extract_content}, whose default is {@link DataSourceProvider#extractsContent()};
 * a source can read it as {@link SourceContext#extractContent()}), the runtime, for each document that is new or
 * changed (after the version check, so an unchanged document's body is never read):
 * <ol>
 *   <li>streams {@link #content()} to a temporary file, at most {@code extraction.max_input_size} bytes (a body whose
 *       {@link #size()} is larger is not read at all);</li>
 *   <li>has a parser process (Apache Tika) extract its text and metadata, within the time and memory limits of the
 *       {@code extraction} settings;</li>
 *   <li>sets the document's {@code content} field to the text and {@code content_metadata} to its metadata
 *       ({@code title}, {@code author}, {@code language}, {@code page_count}, {@code content_type}, ...), replacing
 *       fields of those names; a body that yields no text (encrypted, corrupt, too large, a parser that timed out or
 *       ran out of memory) leaves {@code content} unset, puts the outcome and reason in {@code content_metadata}, and
 *       is counted ({@code not_extracted}) and listed in the job record: the document itself is still indexed.</li>
 * </ol>
 * When the connector does not extract content, bodies are ignored and never read. Give such documents a
 * {@linkplain SourceDocument#version() version}: without one the runtime must extract a body to know whether the
 * document changed, on every sync.
 *
 * <p>{@link #content()} is lazy and re-subscribable: each subscription opens and reads the content afresh and
 * releases it on completion, error or cancel. Buffers emitted may be reused after {@code onNext} returns, so a
 * consumer copies what it keeps. A subscription may run on any thread; reading may block (the runtime subscribes on a
 * thread meant for blocking work).
 */
public interface LazyBody {

    /** The size in bytes if known without reading, else {@code -1}. */
    long size();

    /** The MIME type if known, else {@code application/octet-stream}: a hint, the content decides. */
    String mimeType();

    /** The file name if the content has one ({@code report.pdf}), else {@code ""}: a hint for format detection. */
    default String name() {
        return "";
    }

    /** Streams the bytes. */
    Flux<ByteBuffer> content();
}
