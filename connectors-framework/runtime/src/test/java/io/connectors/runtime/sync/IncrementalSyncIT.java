package io.connectors.runtime.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.runtime.es.ElasticsearchHandle;
import io.connectors.runtime.sink.BulkSink;
import io.connectors.runtime.config.BulkSinkSettings;
import io.connectors.runtime.sink.ElasticsearchBulkClient;
import io.connectors.spi.ChangeEvent;
import io.connectors.spi.IncrementalSource;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SyncCursor;
import io.connectors.spi.rules.BasicRule;
import io.connectors.spi.rules.SyncRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Incremental syncs against a real Elasticsearch: the index ends equal to the source, cursors saved only when safe. */
class IncrementalSyncIT {
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final BulkSinkSettings SETTINGS = BulkSinkSettings.defaults()
            .withMaxActions(20)
            .withMaxConcurrentRequests(3)
            .withFlushInterval(Duration.ofMillis(20));
    private static ElasticsearchHandle es;

    private final SyncStats stats = new SyncStats();
    private final List<Long> saved = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void connect() {
        es = TestClients.connect();
    }

    @AfterAll
    static void close() {
        es.close();
    }

    @Test
    void manyChangesToFewDocumentsEndWithTheSourcesStateAndTheLastCursor() throws Exception {
        String index = "it-incremental-many";
        createEmpty(index);
        Random random = new Random(1);
        List<ChangeEvent> events = new ArrayList<>();
        Map<String, String> expected = new TreeMap<>();
        long checkpoints = 0;
        for (int i = 0; i < 4000; i++) {
            String id = "doc-" + random.nextInt(60);
            int kind = random.nextInt(10);
            if (kind < 6) {
                events.add(upsert(id, i));
                expected.put(id, Integer.toString(i));
            } else if (kind < 8) {
                events.add(new ChangeEvent.Delete(id));
                expected.remove(id);
            } else {
                events.add(checkpoint(++checkpoints));
            }
        }
        events.add(checkpoint(++checkpoints));
        // Excluded by the rules: deleted, never indexed.
        events.add(new ChangeEvent.Upsert(SourceDocument.builder("drafts-1").field("v", 1).field("draft", true).build()));
        events.add(checkpoint(++checkpoints));
        SyncRules rules = new SyncRules(List.of(new BasicRule("draft", BasicRule.Policy.EXCLUDE,
                BasicRule.Condition.EQUALS, "true")), Map.of());

        SyncCursor last = sync(index, Flux.fromIterable(events).publishOn(Schedulers.boundedElastic(), 32), rules)
                .block(WAIT);

        assertThat(last).isEqualTo(cursor(checkpoints));
        assertThat(saved).isSorted().doesNotHaveDuplicates().endsWith(checkpoints);
        assertThat(IndexContents.read(es.async(), index, "v")).isEqualTo(expected);
        assertThat(stats.failed()).isZero();
    }

    @Test
    void aDocumentElasticsearchRefusesKeepsTheCursorBeforeIt() throws Exception {
        String index = "it-incremental-refused";
        es.async().indices().delete(d -> d.index(index).ignoreUnavailable(true)).get();
        new TargetIndex(es.async(), index).ensure(new TargetIndex.IndexMappings(Map.of("v", Map.of("type", "long")), false))
                .block(WAIT);
        BulkSinkSettings oneByOne = SETTINGS.withMaxActions(1).withMaxConcurrentRequests(1);
        // The source maps "v" as a long (no ignore_malformed): text in it is refused with a mapping error.
        Flux<ChangeEvent> events = Flux.just(upsert("a", 1), checkpoint(1),
                new ChangeEvent.Upsert(SourceDocument.builder("bad").field("v", "not a number").build()), checkpoint(2),
                upsert("c", 3), new ChangeEvent.Delete("never-indexed"), checkpoint(3));

        assertThatThrownBy(() -> sync(index, events, SyncRules.NONE, oneByOne).block(WAIT))
                .isInstanceOf(IncrementalSync.ChangesNotAppliedException.class)
                .hasMessageStartingWith("1 change was not applied (1 refused by Elasticsearch)");

        assertThat(saved).containsExactly(1L);
        assertThat(IndexContents.read(es.async(), index, "v")).isEqualTo(Map.of("a", "1", "c", "3"));
        assertThat(stats.failed()).isEqualTo(1);
        // The delete of an id that was never indexed is not a failure.
        assertThat(stats.deleted()).isEqualTo(1);
    }

    private static void createEmpty(String index) throws Exception {
        es.async().indices().delete(d -> d.index(index).ignoreUnavailable(true)).get();
        new TargetIndex(es.async(), index).ensure(TargetIndex.IndexMappings.dynamic()).block(WAIT);
    }

    private Mono<SyncCursor> sync(String index, Flux<ChangeEvent> events, SyncRules rules) {
        return sync(index, events, rules, SETTINGS);
    }

    private Mono<SyncCursor> sync(String index, Flux<ChangeEvent> events, SyncRules rules, BulkSinkSettings settings) {
        IncrementalSource source = new IncrementalSource() {
            @Override
            public Flux<ChangeEvent> getDocsIncrementally(SyncCursor cursor, SyncRules r) {
                return events;
            }

            @Override
            public Mono<SyncCursor> currentCursor() {
                return Mono.empty();
            }
        };
        BulkSink sink = new BulkSink(new ElasticsearchBulkClient(es.async(), index, null), settings, stats);
        return new IncrementalSync(source, sink, new DocumentSerializer("it"), new BasicRulesFilter(rules.basic()), stats)
                .run(cursor(0), rules, c -> Mono.fromRunnable(() -> saved.add((Long) c.values().get("n"))));
    }

    private static ChangeEvent upsert(String id, int version) {
        return new ChangeEvent.Upsert(SourceDocument.builder(id).field("v", version).build());
    }

    private static ChangeEvent checkpoint(long n) {
        return new ChangeEvent.Checkpoint(cursor(n));
    }

    private static SyncCursor cursor(long n) {
        return new SyncCursor(Map.of("n", n));
    }
}
