package io.connectors.spi;

import java.nio.ByteBuffer;
import reactor.core.publisher.Flux;

/**
 * Binary content attached to a document (a file, an attachment), read only on demand.
 *
 * <p>{@link #content()} is lazy and re-subscribable: each subscription opens and reads the content afresh and
 * releases it on completion, error or cancel. Buffers emitted may be reused after {@code onNext} returns, so a
 * consumer copies what it keeps.
 */
public interface LazyBody {

    /** The size in bytes if known without reading, else {@code -1}. */
    long size();

    /** The MIME type if known, else {@code application/octet-stream}. */
    String mimeType();

    /** Streams the bytes. */
    Flux<ByteBuffer> content();
}
