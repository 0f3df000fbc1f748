package io.connectors.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every malformed configuration shape and command line gets one clear message naming what is wrong, and exit code 2
 * (docs/cli.md). Nothing here reaches Elasticsearch: the host is a closed port, and usage errors must be reported
 * before any connection is tried.
 */
class BadInputTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private Path good(String name) throws java.io.IOException {
        return TestConfig.docs(dir).unreachable(false).write(dir.resolve(name));
    }

    static Stream<Arguments> malformedFiles() {
        return Stream.of(
                Arguments.of("invalid YAML", "elasticsearch:\n  host: [http://x\n", "not valid YAML at line"),
                Arguments.of("tab indentation", "elasticsearch:\n\thost: http://x\n", "not valid YAML"),
                Arguments.of("not a mapping at the top", "- just\n- a list\n", "the top level must be a mapping"),
                Arguments.of("wrong type: text for a number",
                        "bulk:\n  max_concurrent_requests: many\nconnectors: []\n", "bulk.max_concurrent_requests"),
                Arguments.of("wrong type: mapping for a text",
                        "elasticsearch:\n  host:\n    a: b\nconnectors: []\n", "elasticsearch.host"),
                Arguments.of("wrong type: connectors not a list", "connectors:\n  id: docs\n",
                        "connectors: expected a list of connectors"),
                Arguments.of("unknown top-level key", "elasticsearh:\n  host: http://x\nconnectors: []\n",
                        "elasticsearh: unknown key; did you mean 'elasticsearch'?"),
                Arguments.of("unknown nested key", "bulk:\n  max_retry: 3\nconnectors: []\n", "bulk.max_retry: unknown key"),
                Arguments.of("unknown connector key",
                        "connectors:\n  - id: a\n    type: directory\n    indx: a\n    configuration: {path: /tmp}\n",
                        "connectors[0] (a).indx"),
                Arguments.of("unknown source field",
                        "connectors:\n  - id: a\n    type: directory\n    configuration: {path: /tmp, pth: x}\n",
                        "connectors[0] (a).configuration.pth: unknown field"),
                Arguments.of("missing required id",
                        "connectors:\n  - type: directory\n    configuration: {path: /tmp}\n",
                        "connectors[0].id: is required"),
                Arguments.of("missing required source field",
                        "connectors:\n  - id: a\n    type: directory\n    configuration: {}\n",
                        "connectors[0] (a).configuration.path: is required"),
                Arguments.of("missing type", "connectors:\n  - id: a\n    configuration: {path: /tmp}\n",
                        "connectors[0] (a).type"),
                Arguments.of("invalid cron",
                        "connectors:\n  - id: a\n    type: directory\n    schedule: {full: '61 * * * * ?'}\n"
                                + "    configuration: {path: /tmp}\n", "connectors[0] (a).schedule.full: invalid cron"),
                Arguments.of("unknown source type",
                        "connectors:\n  - id: a\n    type: oracle\n    configuration: {}\n",
                        "unknown source type 'oracle'; known source types are ["),
                Arguments.of("bad URL", "elasticsearch:\n  host: 'ht tp://no'\nconnectors: []\n",
                        "elasticsearch.host: 'ht tp://no' is not a valid URL"),
                Arguments.of("URL with credentials", "elasticsearch:\n  host: 'http://u:hunter2@es:9200'\nconnectors: []\n",
                        "elasticsearch.host"),
                Arguments.of("duplicate connector ids",
                        "connectors:\n  - {id: a, type: directory, configuration: {path: /tmp}}\n"
                                + "  - {id: a, type: directory, configuration: {path: /tmp}}\n", "connectors[1]"),
                Arguments.of("bad duration", "sync:\n  progress_interval: soon\nconnectors: []\n", "sync.progress_interval"),
                Arguments.of("undefined environment reference",
                        "elasticsearch:\n  host: http://x:9200\n  password: ${NO_SUCH_VARIABLE_HERE}\nconnectors: []\n",
                        "NO_SUCH_VARIABLE_HERE"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedFiles")
    void everyMalformedShapeIsNamedWithExitCode2(String shape, String yaml, String expected) throws Exception {
        Path file = dir.resolve("bad.yml");
        Files.writeString(file, yaml);
        assertThat(run("-c", file.toString(), "config", "check", "--offline")).as(shape).isEqualTo(2);
        assertThat(err.toString()).as(shape).contains("Invalid configuration in " + file).contains(expected)
                .doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("hunter2");
    }

    @Test
    void configCheckReportsEveryProblemAtOnce() throws Exception {
        Path file = dir.resolve("many.yml");
        Files.writeString(file, """
                elasticsearch:
                  host: http://127.0.0.1:9
                  bogus: 1
                bulk:
                  max_concurrent_requests: many
                connectors:
                  - id: a
                    type: directory
                    schedule:
                      full: "not a cron"
                    configuration:
                      path: /tmp
                      unknown_key: 1
                  - id: b
                    type: nosuch
                  - type: directory
                    configuration: {}
                """);
        assertThat(run("-c", file.toString(), "config", "check")).isEqualTo(2);
        assertThat(err.toString()).contains("elasticsearch.bogus: unknown key")
                .contains("bulk.max_concurrent_requests")
                .contains("connectors[0] (a).schedule.full: invalid cron")
                .contains("connectors[0] (a).configuration.unknown_key: unknown field")
                .contains("connectors[1] (b).type: unknown source type 'nosuch'")
                .contains("connectors[2].id: is required")
                .contains("connectors[2].configuration.path: is required");
    }

    @Test
    void anUnknownOptionIsNamedEvenWhenAnArgumentIsMissing() {
        assertThat(run("sync", "--bogus")).isEqualTo(2);
        assertThat(err.toString()).startsWith("error: Unknown option: '--bogus'").contains("Usage: connectors sync");
    }

    @Test
    void anUnknownCommandSuggestsTheClosest() {
        assertThat(run("sycn")).isEqualTo(2);
        assertThat(err.toString()).contains("'sycn'").contains("connectors sync");
    }

    @Test
    void aMissingArgumentIsNamed() {
        assertThat(run("jobs", "view")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required parameter: 'JOB'");
    }

    @Test
    void unknownConnectorsAndJobTypesAreUsageErrors() throws Exception {
        Path file = good("one.yml");
        // A connector the file does not configure may be served by a running daemon: its records are looked up first.
        assertThat(run("-c", file.toString(), "jobs", "start", "nope")).isEqualTo(2);
        assertThat(err.toString()).contains("no connector 'nope'").contains("[docs]")
                .contains("no running daemon serving one could be looked for");
        assertThat(run("-c", file.toString(), "sync", "docs", "--type", "fast")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown job type 'fast'; use [full, incremental, access_control]");
        assertThat(run("-c", file.toString(), "jobs", "list", "--limit", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--limit must be between 1 and 10000, got 0");

        assertThat(run("-c", file.toString(), "sources", "drop-resources", "nope", "--yes")).isEqualTo(2);
        assertThat(err.toString()).contains("no connector 'nope'").contains("configured connectors: [docs]");
        assertThat(run("-c", file.toString(), "sources", "drop-resources")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required parameter: 'CONNECTOR'");
    }

    @Test
    void badOptionValuesNameTheOptionAndTheAcceptedForms() throws Exception {
        Path file = good("one.yml");
        assertThat(run("-c", file.toString(), "jobs", "start", "docs", "--wait", "--timeout", "5x")).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value for option '--timeout': '5x' is not a duration; use 500ms,");
        assertThat(run("-c", file.toString(), "jobs", "list", "--limit", "x")).isEqualTo(2);
        assertThat(err.toString()).contains("'--limit'").contains("'x'");
    }

    @Test
    void durationsTakeTheConfigurationFileForms() {
        DurationConverter c = new DurationConverter();
        assertThat(c.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(c.convert("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.convert(" 5m ")).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.convert("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(c.convert("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(c.convert("PT1H")).isEqualTo(Duration.ofHours(1));
        assertThat(c.convert("5 minutes")).isEqualTo(Duration.ofMinutes(5));
        for (String bad : new String[] {"", "-5s", "PT-1S", "5 fortnights", "1y"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.convert(bad))
                    .isInstanceOf(CommandLine.TypeConversionException.class).hasMessageContaining("is not a duration");
        }
    }
}
