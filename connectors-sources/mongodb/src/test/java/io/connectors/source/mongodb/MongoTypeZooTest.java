package io.connectors.source.mongodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.spi.SourceDocument;
import io.connectors.testkit.functional.TypeZooReads;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The type zoo of {@code make ftest NAME=mongodb}, read by the source from the in-process server: every document
 * builds, twice with the same versions (so a re-sync writes nothing), and the clashes it is made for are there.
 * Elasticsearch's side is the ftest's type-zoo step, through the daemon.
 */
class MongoTypeZooTest {
    @TempDir
    Path work;

    @Test
    void everyKindOfValueIsReadAndReadsTheSameTwice() throws Exception {
        try (MongoFixture fixture = new MongoFixture(null)) {
            fixture.start(work);
            List<SourceDocument> documents = TypeZooReads.twice(new MongoDataSourceProvider(), fixture.loadTypeZoo(),
                    Duration.ofSeconds(30));

            SourceDocument int32 = documents.stream().filter(d -> d.fields().containsKey("t_int32")).findFirst().orElseThrow();
            assertThat(int32.fields().get("clash_int32")).as("zoo_a's clash_int32 is an integer").isInstanceOf(Integer.class);
            SourceDocument keys = documents.stream().filter(d -> d.id().endsWith("keys")).findFirst().orElseThrow();
            assertThat(keys.fields()).containsKeys("(empty)", "a.b", "$dollar", "%20", "a%2E%2Eb", "mongo_source",
                    "mongo_sync_id", "emoji 😀 key");
        }
    }
}
