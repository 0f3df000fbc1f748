package io.connectors.runtime.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.runtime.config.SyncSettings;
import io.connectors.runtime.es.ElasticsearchHandle;
import io.connectors.runtime.sink.BulkSink;
import io.connectors.runtime.config.BulkSinkSettings;
import io.connectors.runtime.sink.ElasticsearchBulkClient;
import io.connectors.spi.BaseDataSource;
import io.connectors.spi.ChangeEvent;
import io.connectors.spi.DeferredSource;
import io.connectors.spi.IncrementalSource;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SyncCursor;
import io.connectors.spi.rules.SyncRules;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Version first, against a real Elasticsearch: an unchanged document is never built nor written, in full and
 * incremental syncs alike; what changed, appeared or vanished is, and the index ends equal to the source.
 */
class VersionFirstSyncIT {
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final int DOCS = 3_000;
    private static ElasticsearchHandle es;

    @TempDir
    Path tmp;

    @BeforeAll
    static void connect() {
        es = TestClients.connect();
    }

    @AfterAll
    static void close() {
        es.close();
    }

    @Test
    void aFullReSyncBuildsAndWritesOnlyWhatChangedAndDeletesWhatVanished() throws Exception {
        String index = "it-version-first-full";
        es.async().indices().delete(d -> d.index(index).ignoreUnavailable(true)).get();
        Listed source = new Listed();
        for (int i = 0; i < DOCS; i++) {
            source.items.put("doc-" + i, new Item("v1", "text " + i));
        }

        SyncStats first = fullSync(source, index);
        assertThat(first.indexed()).isEqualTo(DOCS);
        assertThat(source.built.get()).isEqualTo(DOCS);
        assertThat(IndexContents.read(es.async(), index, "text")).isEqualTo(source.expected());

        // The stamps scan reads slices of the point in time page by page: each stored id once, and the count first.
        List<TargetIndex.StampPage> pages = new TargetIndex(es.async(), index).scanStamps(100).collectList().block(WAIT);
        assertThat(pages.get(0).total()).isEqualTo(DOCS);
        List<String> scanned = pages.stream().flatMap(p -> p.stamps().stream()).map(TargetIndex.StoredStamp::syncId).toList();
        assertThat(scanned).hasSize(DOCS).doesNotHaveDuplicates();
        assertThat(pages.stream().flatMap(p -> p.stamps().stream()).map(TargetIndex.StoredStamp::stamp))
                .allSatisfy(stamp -> assertThat(stamp).startsWith("fp:v1"));

        source.built.set(0);
        SyncStats unchanged = fullSync(source, index);
        assertThat(source.built.get()).as("documents built by a sync that finds nothing changed").isZero();
        assertThat(unchanged.unchanged()).isEqualTo(DOCS);
        assertThat(unchanged.indexed() + unchanged.updated() + unchanged.deleted() + unchanged.bytes()).isZero();

        source.items.put("doc-1", new Item("v2", "changed"));
        source.items.put("doc-2", new Item("v2", "changed too"));
        source.items.remove("doc-3");
        source.items.put("doc-new", new Item("v1", "added"));
        // Listed with a new version, gone by the time it is built: the source no longer has it.
        source.items.put("doc-4", new Item("v2", "vanishing"));
        source.vanishOnFetch.add("doc-4");
        source.built.set(0);
        SyncStats changed = fullSync(source, index);
        assertThat(source.built.get()).as("documents built after 3 changed, 1 added, 1 deleted").isEqualTo(3);
        assertThat(changed.unchanged()).isEqualTo(DOCS - 4);
        assertThat(changed.updated()).isEqualTo(2);
        assertThat(changed.indexed()).isEqualTo(1);
        assertThat(changed.deleted()).isEqualTo(2);
        source.items.remove("doc-4");
        assertThat(IndexContents.read(es.async(), index, "text")).isEqualTo(source.expected());

        // Another configuration (fingerprint): every stamp differs, everything is built and rewritten once.
        source.built.set(0);
        SyncStats rewritten = fullSync(source, index, "fp-other");
        assertThat(source.built.get()).isEqualTo(source.items.size());
        assertThat(rewritten.updated()).isEqualTo(source.items.size());
    }

    @Test
    void anIncrementalSyncSkipsReReadDocumentsWhoseVersionIsStored() throws Exception {
        String index = "it-version-first-incremental";
        es.async().indices().delete(d -> d.index(index).ignoreUnavailable(true)).get();
        Listed source = new Listed();
        for (int i = 0; i < 200; i++) {
            source.items.put("doc-" + i, new Item("v1", "text " + i));
        }
        fullSync(source, index);

        // An overlap window re-read: 150 unchanged, 10 changed; then the same id changed twice in a row and back.
        List<ChangeEvent> events = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            events.add(new ChangeEvent.Upsert(source.deferred("doc-" + i)));
        }
        for (int i = 150; i < 160; i++) {
            source.items.put("doc-" + i, new Item("v2", "changed " + i));
            events.add(new ChangeEvent.Upsert(source.deferred("doc-" + i)));
        }
        events.add(new ChangeEvent.Upsert(SourceDocument.builder("doc-170").version("v2").field("text", "built v2").build()));
        events.add(new ChangeEvent.Upsert(SourceDocument.builder("doc-170").version("v1").field("text", "text 170").build()));
        events.add(new ChangeEvent.Checkpoint(new SyncCursor(Map.of("n", 1))));
        source.changes = events;
        source.built.set(0);

        SyncStats stats = new SyncStats();
        BulkSink sink = new BulkSink(new ElasticsearchBulkClient(es.async(), index, null), BulkSinkSettings.defaults(), stats);
        DocumentSerializer serializer = new DocumentSerializer("fp");
        TargetIndex target = new TargetIndex(es.async(), index);
        SyncCursor saved = new IncrementalSync(source, sink, serializer, new BasicRulesFilter(List.of()), stats)
                .comparingVersions(new ChangeVersions(source, target, serializer, stats, 64, Duration.ofMillis(20)))
                .run(new SyncCursor(Map.of("n", 0)), SyncRules.NONE, c -> Mono.empty())
                .block(WAIT);
        target.refresh().block(WAIT);

        assertThat(saved).isEqualTo(new SyncCursor(Map.of("n", 1)));
        assertThat(source.built.get()).as("deferred documents built").isEqualTo(10);
        assertThat(stats.unchanged()).as("unchanged re-reads").isEqualTo(150);
        // doc-170: v2 written, then v1 (what is stored) must be written back, not taken for unchanged.
        assertThat(stats.updated()).isEqualTo(12);
        assertThat(IndexContents.read(es.async(), index, "text")).isEqualTo(source.expected());
    }

    private SyncStats fullSync(Listed source, String index) {
        return fullSync(source, index, "fp");
    }

    private SyncStats fullSync(Listed source, String index, String fingerprint) {
        SyncStats stats = new SyncStats();
        TargetIndex target = new TargetIndex(es.async(), index);
        BulkSink sink = new BulkSink(new ElasticsearchBulkClient(es.async(), index, null),
                BulkSinkSettings.defaults().withMaxActions(250), stats);
        SyncSettings settings = new SyncSettings(1, 100, 3, tmp, Duration.ofSeconds(5), 2);
        target.ensure(TargetIndex.IndexMappings.dynamic()).flatMap(created -> new FullSync(source, target, sink, new DocumentSerializer(fingerprint),
                settings, stats).run(SyncRules.NONE, created)).block(WAIT);
        return stats;
    }

    private record Item(String version, String text) {
    }

    /** Lists deferred documents, builds them on fetch (counting), may lose some between the two. */
    private static final class Listed implements BaseDataSource, DeferredSource, IncrementalSource {
        final Map<String, Item> items = new ConcurrentHashMap<>();
        final Set<String> vanishOnFetch = ConcurrentHashMap.newKeySet();
        final AtomicInteger built = new AtomicInteger();
        volatile List<ChangeEvent> changes = List.of();

        Map<String, String> expected() {
            Map<String, String> out = new TreeMap<>();
            items.forEach((id, item) -> out.put(id, item.text()));
            return out;
        }

        SourceDocument deferred(String id) {
            return SourceDocument.deferred(id, items.get(id).version(), id.length());
        }

        @Override
        public Flux<SourceDocument> getDocs(SyncRules rules) {
            return Flux.defer(() -> Flux.fromIterable(new ArrayList<>(items.keySet()))).map(this::deferred);
        }

        @Override
        public Flux<SourceDocument> fetch(List<SourceDocument> deferred) {
            return Flux.fromIterable(deferred)
                    .doOnNext(d -> assertThat(d.state()).isEqualTo(d.id().length()))
                    .filter(d -> !vanishOnFetch.contains(d.id()) && items.containsKey(d.id()))
                    .map(d -> {
                        built.incrementAndGet();
                        Item item = items.get(d.id());
                        return SourceDocument.builder(d.id()).version(item.version()).field("text", item.text()).build();
                    });
        }

        @Override
        public Flux<ChangeEvent> getDocsIncrementally(SyncCursor cursor, SyncRules rules) {
            return Flux.fromIterable(changes);
        }

        @Override
        public Mono<SyncCursor> currentCursor() {
            return Mono.empty();
        }

        @Override
        public Mono<Void> ping() {
            return Mono.empty();
        }

        @Override
        public Mono<Void> validateConfig() {
            return Mono.empty();
        }

        @Override
        public Mono<Void> close() {
            return Mono.empty();
        }
    }
}
