package io.connectors.source.mongodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.spi.BaseDataSource;
import io.connectors.spi.SourceConfig;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SyncRules;
import io.connectors.testkit.contract.DeferredDocuments;
import io.connectors.testkit.functional.SourceFixture.TypeZoo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The type zoo of {@code make ftest NAME=mongodb}, read by the source from the in-process server: every document
 * builds, twice with the same versions (so a re-sync writes nothing), and the clashes it is made for are there.
 * Elasticsearch's side is the ftest's type-zoo step, through the daemon.
 */
class MongoTypeZooTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path work;

    @Test
    void everyKindOfValueIsReadAndReadsTheSameTwice() throws Exception {
        try (MongoFixture fixture = new MongoFixture(null)) {
            fixture.start(work);
            TypeZoo zoo = fixture.loadTypeZoo();
            MongoDataSourceProvider provider = new MongoDataSourceProvider();
            BaseDataSource source = provider.create(SourceConfig.from(provider.configFields(), zoo.configuration()),
                    new SourceContext("zoo"));
            try {
                List<SourceDocument> first = read(source);
                List<SourceDocument> second = read(source);

                assertThat(first).hasSize((int) zoo.documents());
                assertThat(versions(second)).isEqualTo(versions(first));
                Map<String, Object> clashOfInt = fields(first, "int32").get("clash_int32") instanceof Integer i
                        ? Map.of("a", i) : Map.of();
                assertThat(clashOfInt).as("zoo_a's clash_int32 is an integer").isNotEmpty();
                SourceDocument keys = first.stream().filter(d -> d.id().endsWith("keys")).findFirst().orElseThrow();
                assertThat(keys.fields()).containsKeys("(empty)", "a.b", "$dollar", "%20", "a%2E%2Eb", "mongo_source",
                        "mongo_sync_id", "emoji 😀 key");
            } finally {
                source.close().block(WAIT);
            }
        }
    }

    private static List<SourceDocument> read(BaseDataSource source) {
        List<SourceDocument> listed = source.getDocs(SyncRules.NONE).collectList().block(WAIT);
        return DeferredDocuments.build(source, listed, WAIT);
    }

    private static Map<String, String> versions(List<SourceDocument> documents) {
        return documents.stream().collect(Collectors.toMap(SourceDocument::id, d -> String.valueOf(d.version())));
    }

    private static Map<String, Object> fields(List<SourceDocument> documents, String kind) {
        return documents.stream().filter(d -> kind.equals(d.fields().get("kind")) && d.fields().containsKey("t_" + kind))
                .findFirst().orElseThrow().fields();
    }
}
