package io.connectors.runtime.sync;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.connectors.extraction.Extraction.Outcome;
import io.connectors.runtime.SourceRegistry;
import io.connectors.runtime.config.ConfigLoader;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.es.ElasticsearchHandle;
import io.connectors.testkit.corpus.DocumentCorpus;
import io.connectors.testkit.corpus.DocumentCorpus.Hostile;
import io.connectors.testkit.corpus.DocumentCorpus.Sample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A directory of real PDF, Office, OpenDocument, e-mail, HTML, EPUB and text files, and hostile ones, synced through
 * the daemon's parser processes into a real Elasticsearch: each document is found by a phrase of its body, each hostile
 * input is one counted and listed document of a sync that completes, and an unchanged re-sync extracts nothing.
 */
class ContentExtractionIT {
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

    private ConnectorsConfig config(Path root, String index, Map<String, Object> extraction) {
        Map<String, Object> yaml = new LinkedHashMap<>();
        yaml.put("elasticsearch", TestClients.section());
        yaml.put("sync", Map.of("temp_dir", tmp.resolve("spill").toString()));
        yaml.put("extraction", extraction);
        yaml.put("connectors", List.of(Map.of("id", "files", "type", "directory", "index", index,
                "configuration", Map.of("path", root.toString()))));
        return ConfigLoader.fromMap(yaml, "test", Map.of(), SourceRegistry.load());
    }

    /** Counts the bodies the parser pool was given, by outcome: the counter that proves what was extracted. */
    static final class Outcomes implements ContentExtractor.Listener {
        final Map<Outcome, AtomicLong> counts = new ConcurrentHashMap<>();

        @Override
        public void extracted(Outcome outcome, long bytes, long nanos) {
            counts.computeIfAbsent(outcome, o -> new AtomicLong()).incrementAndGet();
        }

        long total() {
            return counts.values().stream().mapToLong(AtomicLong::get).sum();
        }
    }

    private static SyncReport sync(ConnectorsConfig c, ContentExtractor extractor, SyncStats stats) {
        SyncRunner runner = new SyncRunner(es.async(), c.bulk(), c.sync(), io.connectors.runtime.sink.BulkSink.Listener.NONE, extractor);
        SyncReport report = runner.fullSync(c.connectors().get(0), stats, s -> { }).block(Duration.ofMinutes(5));
        assertThat(report).isNotNull();
        assertThat(report.error()).isNull();
        assertThat(report.status()).isEqualTo(SyncReport.Status.COMPLETED);
        return report;
    }

    private static List<Hit<ObjectNode>> search(String index, String phrase) throws Exception {
        SearchResponse<ObjectNode> r = es.async().search(s -> s.index(index).size(50)
                .query(q -> q.matchPhrase(m -> m.field("content").query(phrase))), ObjectNode.class).get();
        return r.hits().hits();
    }

    private static ObjectNode get(String index, String id) throws Exception {
        return es.async().get(g -> g.index(index).id(id), ObjectNode.class).get().source();
    }

    @Test
    void everyDocumentIsFoundByItsPhraseHostileOnesAreListedAndAnUnchangedResyncExtractsNothing() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("files"));
        List<Sample> samples = new ArrayList<>();
        for (String tag : List.of("alpha1", "beta2", "gamma3")) {
            samples.addAll(DocumentCorpus.writeFormats(root.resolve(tag), tag));
        }
        List<Hostile> hostile = DocumentCorpus.writeHostile(root.resolve("hostile"), 200L << 20);
        Files.writeString(root.resolve("notes.txt"), "plain notes on the fast path\n");
        String index = "it-extraction";
        ConnectorsConfig config = config(root, index, Map.of("workers", 2));
        Outcomes outcomes = new Outcomes();
        int documents = samples.size() + hostile.size() + 1;
        try (ContentExtractor extractor = new ContentExtractor(config.extraction(), config.sync().tempDir(), outcomes)) {
            SyncStats first = new SyncStats();
            SyncReport report = sync(config, extractor, first);
            assertThat(report.counts()).containsEntry("indexed", (long) documents).containsEntry("failed", 0L)
                    .containsEntry("extracted", (long) samples.size()).containsEntry("not_extracted", (long) hostile.size());
            es.async().indices().refresh(r -> r.index(index)).get();

            for (Sample s : samples) {
                String id = root.relativize(s.file()).toString();
                List<Hit<ObjectNode>> hits = search(index, s.phrase());
                if (s.unique()) {
                    assertThat(hits).as(s.format() + ": " + s.phrase()).extracting(Hit::id).containsExactly(id);
                } else {
                    assertThat(hits).as(s.format()).extracting(Hit::id).contains(id);
                }
                ObjectNode doc = get(index, id);
                assertThat(doc.path("content_metadata").path("outcome").asText()).as(id).isEqualTo("extracted");
                assertThat(doc.path("content_metadata").path("content_type").asText()).as(id).isEqualTo(s.contentType());
                if (s.title() != null) {
                    assertThat(doc.path("content_metadata").path("title").asText()).as(id).isEqualTo(s.title());
                }
            }
            assertThat(get(index, "hostile/encrypted.pdf").path("content_metadata").path("outcome").asText())
                    .isEqualTo("encrypted");
            Map<String, String> listed = first.notExtractedSamples().stream()
                    .collect(Collectors.toMap(SyncStats.DocumentProblem::id, SyncStats.DocumentProblem::errorType));
            for (Hostile h : hostile) {
                String id = root.relativize(h.file()).toString();
                assertThat(listed).as(h.what()).containsEntry(id, h.outcome());
                ObjectNode doc = get(index, id);
                assertThat(doc.has("content")).as(id).isFalse();
                assertThat(doc.path("content_metadata").path("error").asText()).as(id).isNotBlank();
                assertThat(doc.path("size").asLong()).as(id).isPositive();
            }
            assertThat(search(index, "plain notes on the fast path")).extracting(Hit::id).containsExactly("notes.txt");
            long parsed = outcomes.total();
            // The 200 MB file is refused by its size before any reading; the other hostile inputs reach a parser.
            assertThat(parsed).isEqualTo(samples.size() + hostile.size());

            SyncReport again = sync(config, extractor, new SyncStats());
            assertThat(again.counts()).containsEntry("unchanged", (long) documents).containsEntry("indexed", 0L)
                    .containsEntry("extracted", 0L).containsEntry("not_extracted", 0L);
            assertThat(outcomes.total()).as("bodies given to the parsers by an unchanged re-sync").isEqualTo(parsed);

            // A changed file is extracted again, and only it.
            Sample changed = samples.get(0);
            DocumentCorpus.writeFormats(tmp.resolve("replacement"), "delta4").stream()
                    .filter(s -> s.format().equals(changed.format())).findFirst()
                    .ifPresent(s -> copy(s.file(), changed.file()));
            SyncReport third = sync(config, extractor, new SyncStats());
            assertThat(third.counts()).containsEntry("extracted", 1L).containsEntry("not_extracted", 0L);
            es.async().indices().refresh(r -> r.index(index)).get();
            assertThat(search(index, DocumentCorpus.phrase("delta4", changed.format()))).extracting(Hit::id)
                    .containsExactly(root.relativize(changed.file()).toString());
            assertThat(search(index, changed.phrase())).isEmpty();
        }
    }

    @Test
    void aParserPastItsTimeCostsOneDocumentAndTheSyncCompletes() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("slow"));
        // About 10 s of parsing here; a heap it cannot exhaust, so the time limit stops it, on a faster machine too. The
        // limit leaves the documents after it room: they are parsed by a new parser process, cold, on a loaded machine
        // (a CI run saw 1.5 s pass on a fresh process's first docx while other builds ran).
        DocumentCorpus.writeSlow(root.resolve("slow.docx"), 1_000_000);
        List<Sample> samples = DocumentCorpus.writeFormats(root.resolve("ok"), "ok1");
        String index = "it-extraction-timeout";
        ConnectorsConfig config = config(root, index, Map.of("workers", 1, "timeout", "3s", "worker_heap", "2gb"));
        try (ContentExtractor extractor = new ContentExtractor(config.extraction(), config.sync().tempDir(), null)) {
            SyncStats stats = new SyncStats();
            SyncReport report = sync(config, extractor, stats);
            assertThat(report.counts()).containsEntry("indexed", samples.size() + 1L)
                    .containsEntry("extracted", (long) samples.size()).containsEntry("not_extracted", 1L);
            assertThat(stats.notExtractedSamples()).singleElement().satisfies(p -> {
                assertThat(p.id()).isEqualTo("slow.docx");
                assertThat(p.errorType()).isEqualTo("timeout");
                assertThat(p.reason()).contains("extraction.timeout");
            });
            es.async().indices().refresh(r -> r.index(index)).get();
            for (Sample s : samples) {
                assertThat(search(index, s.phrase())).hasSize(1);
            }
        }
    }

    private static void copy(Path from, Path to) {
        try {
            Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.setLastModifiedTime(to, java.nio.file.attribute.FileTime.from(java.time.Instant.now().plusSeconds(5)));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
