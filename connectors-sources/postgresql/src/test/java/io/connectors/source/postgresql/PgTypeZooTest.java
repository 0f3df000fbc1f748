package io.connectors.source.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.spi.SourceDocument;
import io.connectors.testkit.functional.TypeZooReads;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The type zoo of {@code make ftest NAME=postgresql}, read by the source from the local PostgreSQL: every row of both
 * tables is a document, twice with the same versions, so a re-sync writes nothing. Elasticsearch's side is the
 * ftest's type-zoo step, through the daemon.
 */
class PgTypeZooTest {

    @Test
    void everyColumnTypeIsReadAndReadsTheSameTwice() {
        try (PgBackend backend = PgBackend.create("zoo")) {
            List<SourceDocument> documents = TypeZooReads.twice(new PgDataSourceProvider(), PgTypeZoo.load(backend),
                    Duration.ofSeconds(60));

            assertThat(documents.stream().map(SourceDocument::id))
                    .contains(PgTypeZoo.SCHEMA + ".zoo_a/1", PgTypeZoo.SCHEMA + ".zoo_b/b-1");
        }
    }
}
