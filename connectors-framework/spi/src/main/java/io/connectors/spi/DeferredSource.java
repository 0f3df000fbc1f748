package io.connectors.spi;

import java.util.List;
import reactor.core.publisher.Flux;

/**
 * Capability: the source lists its items by id and version, and builds a document only when the runtime asks.
 *
 * <p>A source with this capability may emit {@linkplain SourceDocument#deferred deferred documents} from
 * {@link BaseDataSource#getDocs}, and inside {@link ChangeEvent.Upsert} events of {@link IncrementalSource} and
 * {@link RealtimeSource}. The runtime compares each deferred document's version with the one stored in the index and
 * calls {@link #fetch} for the new and changed ones only: an unchanged item is never read beyond its listing. Built
 * and deferred documents may be mixed in one stream.
 *
 * <p>Choose what to defer by what is expensive: a file's content (read only for a changed file, the version being
 * its modification time and size), a row's columns (fetched by key in one query per batch, the version being a
 * row version the database keeps anyway), or just the decoding of bytes already read (the version being a hash of
 * those bytes).
 */
public interface DeferredSource {

    /**
     * Builds the documents of {@code deferred}, deferred documents this instance emitted during the current job.
     *
     * <p>Emits at most one built document per deferred one, with the same id, in any order. Its version should be
     * the one it was built from: when the item changed again since it was listed, the built document carries the
     * newer version, and the runtime stores that one. An item that no longer exists is not emitted (the runtime
     * then treats it as absent from the source, and deletes it from the index on a full sync); an item that exists
     * but cannot be read is logged, counted and not emitted, like an unreadable item of {@code getDocs}.
     *
     * <p>Lazy, cancellable and re-subscribable like every SPI publisher. The runtime calls it with batches of a few
     * hundred documents at most, with several calls in flight at once, from any thread: never block the caller
     * (wrap blocking reads in {@code subscribeOn(Schedulers.boundedElastic())}). A failure that concerns the whole
     * batch (connection lost for good) is signalled with {@code onError} and fails the job.
     *
     * @param deferred deferred documents of this source, each with its {@link SourceDocument#state()}; never empty
     */
    Flux<SourceDocument> fetch(List<SourceDocument> deferred);
}
