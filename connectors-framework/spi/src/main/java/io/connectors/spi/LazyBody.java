package io.connectors.spi;

import java.nio.ByteBuffer;
import reactor.core.publisher.Flux;

/**
 * Binary content attached to a document (a file, an attachment), read only on demand.
 *
 * <p>{@link #content()} is lazy and re-subscribable: each subscription opens and reads the content afresh and
 * releases it on completion, error or cancel. Buffers emitted may be reused after {@code onNext} returns, so a
 * consumer copies what it keeps.
 *
 * <p><b>Incubating:</b> the runtime does not read bodies yet; content extraction (text of PDFs and Office files from a
 * document's body) will be its consumer. Until then a body attached to a document is ignored.
 */
@Incubating
public interface LazyBody {

    /** The size in bytes if known without reading, else {@code -1}. */
    long size();

    /** The MIME type if known, else {@code application/octet-stream}. */
    String mimeType();

    /** Streams the bytes. */
    Flux<ByteBuffer> content();
}
