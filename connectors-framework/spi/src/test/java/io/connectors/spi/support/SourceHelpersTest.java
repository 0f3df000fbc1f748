package io.connectors.spi.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.spi.config.ConfigField;
import io.connectors.spi.support.TableColumns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The helpers database sources share: field names, table columns, validators, failures, pool timing. */
class SourceHelpersTest {

    @Test
    void columnsBecomeFieldNamesElasticsearchTakesAndNoOneElseOwns() {
        FieldNames names = new FieldNames("pg", "pg_table");
        assertThat(names.of("plain")).isEqualTo("plain");
        assertThat(names.of("a.b.c")).isEqualTo("a_b_c");
        assertThat(names.of("")).isEqualTo("(empty)");
        assertThat(names.of(" \t")).isEqualTo("%20%09");
        assertThat(names.of("_id")).isEqualTo("pg_id");
        assertThat(names.of("_sync.version")).isEqualTo("pg_sync_version");
        assertThat(names.of("pg_table")).isEqualTo("pg_pg_table");
        assertThat(names.distinct(List.of("a.b", "a_b", "a.b"))).containsExactly("a_b~1", "a_b", "a_b~2");
        assertThat(names.distinct(List.of("pg_table", "x", "x"))).containsExactly("pg_pg_table", "x", "x~1");
    }

    @Test
    void tableColumnEntriesAreCheckedAndParsed() {
        assertThat(TableColumns.validator().apply(List.of("log: at, seq", "other:id"))).isNull();
        assertThat(TableColumns.validator().apply(List.of("nocolon"))).contains("is not `table: column, column`");
        assertThat(TableColumns.validator().apply(List.of(": x"))).contains("is not `table: column, column`");
        assertThat(TableColumns.validator().apply(List.of("a: x", "a: y"))).isEqualTo("names table 'a' twice");
        assertThat(TableColumns.validator().apply(List.of("a: x,"))).contains("has an empty column name");
        assertThat(TableColumns.validator().apply(List.of("a: x, x"))).contains("names column 'x' twice");
        assertThat(TableColumns.parse(List.of("log: at, seq", " b :c"))).isEqualTo(Map.of("log", List.of("at", "seq"),
                "b", List.of("c")));
    }

    @Test
    void validatorsOfNamesFilesAndHosts(@TempDir Path dir) throws IOException {
        assertThat(ConfigField.distinctNames().apply(List.of("a", "b"))).isNull();
        assertThat(ConfigField.distinctNames().apply(List.of("a", "A"))).isEqualTo("names 'A' twice");
        assertThat(ConfigField.distinctNames().apply(List.of("a", " "))).isEqualTo("holds an empty name");
        assertThat(ConfigField.distinctNames().apply("not a list")).isNull();
        Path file = Files.writeString(dir.resolve("ca.pem"), "x");
        assertThat(ConfigField.readableFile().apply(file.toString())).isNull();
        assertThat(ConfigField.readableFile().apply("")).isNull();
        assertThat(ConfigField.readableFile().apply(dir.toString())).contains("is not a readable file");
        assertThat(io.connectors.spi.network.NetworkPolicy.hostField().apply("db.example.com")).isNull();
        assertThat(io.connectors.spi.network.NetworkPolicy.hostField().apply("http://db"))
                .startsWith("'http://db' is not a host name or IP address");
    }

    @Test
    void failuresAreFoundDescribedAndScrubbed() {
        IllegalStateException root = new IllegalStateException("the root");
        RuntimeException wrapped = new RuntimeException(null, new IllegalArgumentException("middle", root));
        assertThat(Failures.find(wrapped, IllegalArgumentException.class)).hasMessage("middle");
        assertThat(Failures.find(wrapped, java.io.IOException.class)).isNull();
        assertThat(Failures.rootMessage(wrapped)).isEqualTo("the root");
        assertThat(Failures.rootMessage(new RuntimeException())).isEqualTo("RuntimeException");
        assertThat(Failures.scrub("bad s3cret\nmore", Optional.of("s3cret"))).isEqualTo("bad ********");
        assertThat(Failures.scrub(null, Optional.empty())).isEqualTo("no detail");
    }
}
