package io.connectors.runtime.sync;

import io.connectors.spi.BaseDataSource;
import io.connectors.spi.ChangeEvent;
import io.connectors.spi.SourceDocument;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The first stage of an incremental or real-time sync: a change whose version is the one already stored is dropped
 * and counted unchanged (a source re-reading an overlap window, a change stream resumed from a saved position), and
 * a deferred document that did change is built by the source, so what reaches {@link IncrementalSync}'s writer is
 * only what must be written, in the source's order.
 *
 * <p>Events are taken in small batches (up to {@code batchSize}, or what arrived within {@code maxWait}); the stored
 * stamps of a batch's versioned upserts are read in one request from doc values ({@link TargetIndex#storedStamps}).
 * A document written by this run moments ago may not be acknowledged yet when a later change to it is compared, so the
 * stamps this stage let through (and the deletes) are remembered for the last {@value #RECENT} ids and take precedence
 * over the index: far more than the writer can have in flight. A document without a version is passed on as it is.
 */
final class ChangeVersions {
    static final int RECENT = 16_384;
    private static final String DELETED = "\u0000deleted";

    private final BaseDataSource source;
    private final TargetIndex index;
    private final DocumentSerializer serializer;
    private final SyncStats stats;
    private final int batchSize;
    private final Duration maxWait;

    ChangeVersions(BaseDataSource source, TargetIndex index, DocumentSerializer serializer, SyncStats stats, int batchSize,
                   Duration maxWait) {
        this.source = Objects.requireNonNull(source, "source");
        this.index = Objects.requireNonNull(index, "index");
        this.serializer = serializer;
        this.stats = stats;
        this.batchSize = batchSize;
        this.maxWait = maxWait;
    }

    /** The events to apply: {@code events} without unchanged upserts, with deferred documents built. */
    Flux<ChangeEvent> apply(Flux<ChangeEvent> events) {
        return Flux.defer(() -> {
            Map<String, String> recent = new LinkedHashMap<>(RECENT * 2, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                    return size() > RECENT;
                }
            };
            return events.bufferTimeout(batchSize, maxWait, true)
                    .concatMap(batch -> batch(batch, recent), 1)
                    .concatMapIterable(list -> list, 1);
        });
    }

    private Mono<List<ChangeEvent>> batch(List<ChangeEvent> batch, Map<String, String> recent) {
        List<String> ids = new ArrayList<>();
        for (ChangeEvent e : batch) {
            if (e instanceof ChangeEvent.Upsert u && u.document().version().isPresent()) {
                ids.add(DocIds.normalize(u.document().id()));
            }
        }
        Mono<Map<String, String>> stored = ids.isEmpty() ? Mono.just(Map.of()) : index.storedStamps(ids);
        // On a worker: the lookup answers on the client's I/O thread, and the writer serializes on the thread it is
        // handed changes on.
        return stored.publishOn(Schedulers.boundedElastic()).flatMap(stamps -> decide(batch, stamps, recent));
    }

    private Mono<List<ChangeEvent>> decide(List<ChangeEvent> batch, Map<String, String> stored, Map<String, String> recent) {
        List<ChangeEvent> out = new ArrayList<>(batch.size());
        Map<String, Integer> toBuild = new HashMap<>();
        List<SourceDocument> deferred = new ArrayList<>();
        for (ChangeEvent e : batch) {
            if (e instanceof ChangeEvent.Delete d) {
                recent.put(DocIds.normalize(d.id()), DELETED);
                out.add(e);
            } else if (e instanceof ChangeEvent.Upsert u) {
                SourceDocument doc = u.document();
                String id = DocIds.normalize(doc.id());
                String stamp = doc.version().map(serializer::stamp).orElse(null);
                String current = recent.containsKey(id) ? recent.get(id) : stored.get(id);
                if (stamp != null && stamp.equals(current)) {
                    stats.addSeen(1);
                    stats.addUnchanged(1);
                    continue;
                }
                recent.put(id, stamp);
                if (doc.isDeferred()) {
                    // Thrown inside flatMap: the run fails with it.
                    DeferredFetch.builder(source, doc);
                    if (toBuild.containsKey(doc.id())) {
                        // The same item twice in one batch: build it once, at its last place.
                        out.set(toBuild.get(doc.id()), null);
                    } else {
                        deferred.add(doc);
                    }
                    toBuild.put(doc.id(), out.size());
                }
                out.add(e);
            } else {
                out.add(e);
            }
        }
        if (deferred.isEmpty()) {
            return Mono.just(out);
        }
        return Flux.defer(() -> DeferredFetch.builder(source, deferred.get(0)).fetch(List.copyOf(deferred)))
                .collectList()
                .publishOn(Schedulers.boundedElastic())
                .map(docs -> {
                    for (SourceDocument doc : docs) {
                        Integer position = toBuild.remove(doc.id());
                        SourceDocument built = DeferredFetch.check(doc, position != null);
                        out.set(position, new ChangeEvent.Upsert(built));
                    }
                    // Not built: the item vanished since the change was read; it is gone from the source.
                    toBuild.forEach((id, position) -> {
                        recent.put(DocIds.normalize(id), DELETED);
                        out.set(position, new ChangeEvent.Delete(id));
                    });
                    out.removeIf(Objects::isNull);
                    return out;
                });
    }
}
